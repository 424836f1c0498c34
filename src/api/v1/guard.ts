/**
 * Guard of `/v1`: an API key (or the bootstrap token, or loopback on a fresh install, exactly as
 * the admin API), the role a route declares in `config.role` — viewer for checks and lookups,
 * operator for submitting orders — and the per-key rate limit.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.ts';
import type { Config } from '../../core/config.ts';
import type { ApiKeys } from '../../security/api-keys.ts';
import { KeyRateLimiter, rateLimitHook } from '../../security/rate-limit.ts';
import { requireRole } from '../../security/require-role.ts';
import type { Role } from '../../security/roles.ts';

/** The role a `/v1` route needs: what it declares, else viewer. */
export function apiRole(req: FastifyRequest): Role {
  return (req.routeOptions.config as { role?: Role } | undefined)?.role ?? 'viewer';
}

/** Adds authentication, role checks and the rate limit to the `/v1` scope. */
export function protectApiScope(v1: FastifyInstance, deps: { config: Config; keys: ApiKeys; clock: Clock }): void {
  v1.addHook('onRequest', requireRole({ keys: deps.keys, bootstrapToken: deps.config.admin.token }, apiRole));
  v1.addHook('onRequest', rateLimitHook(new KeyRateLimiter(deps.config.admin.limits, deps.clock)));
}
