/**
 * Guard of `/v1`: an API key (or the bootstrap token, or loopback on a fresh install, exactly as
 * the admin API), the role a route declares in `config.role` — viewer for checks and lookups,
 * operator for submitting orders — and the per-key rate limit.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Clock } from '../../core/clock.ts';
import type { Config } from '../../core/config.ts';
import type { ApiKeys } from '../../security/api-keys.ts';
import { applyRateLimit, KeyRateLimiter } from '../../security/rate-limit.ts';
import { roleCheck } from '../../security/require-role.ts';
import type { Role } from '../../security/roles.ts';

/** The role a `/v1` route needs: what it declares, else viewer. */
export function apiRole(req: FastifyRequest): Role {
  return (req.routeOptions.config as { role?: Role } | undefined)?.role ?? 'viewer';
}

/**
 * Adds authentication, role checks and the rate limit to every route of the `/v1` scope
 * registered after this call. The role is read once per route, when it is registered, and the
 * checks run as one hook placed first on the route: on the API's hot path, per request work
 * (`req.routeOptions` builds an object on each read) and a hook each cost more than the check.
 */
export function protectApiScope(v1: FastifyInstance, deps: { config: Config; keys: ApiKeys; clock: Clock }): void {
  const options = { keys: deps.keys, bootstrapToken: deps.config.admin.token };
  const limiter = new KeyRateLimiter(deps.config.admin.limits, deps.clock);
  v1.addHook('onRoute', (route: RouteOptions) => {
    const authorise = roleCheck(options, (route.config as { role?: Role } | undefined)?.role ?? 'viewer');
    // A callback hook: a key the cache remembers is checked and counted with no promise made.
    const guard = (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
      let pending: Promise<void> | undefined;
      try {
        pending = authorise(req);
        if (pending === undefined) applyRateLimit(limiter, req, reply);
      } catch (err) {
        return done(err as Error);
      }
      if (pending === undefined) return done();
      pending.then(() => {
        try {
          applyRateLimit(limiter, req, reply);
        } catch (err) {
          return done(err as Error);
        }
        done();
      }, done);
    };
    const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [guard, ...own] as RouteOptions['onRequest'];
  });
}
