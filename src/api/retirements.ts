/**
 * Retiring versions and routes, declared in one table: a route (or a whole version prefix) listed
 * here answers with `Deprecation` (RFC 9745, `@<epoch seconds>`), `Sunset` (RFC 8594, an HTTP
 * date) and a `Link` to its successor, is marked `deprecated` in the OpenAPI document, and after
 * its sunset answers 410 Gone as problem+json.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Clock } from '../core/clock.ts';
import { InterlockError } from '../core/errors.ts';

/** A route or version being retired. */
export interface Retirement {
  /** `POST /v1/account-validation` (one route, as registered) or `/v0/` (every route under a prefix). */
  match: string;
  /** When it was deprecated (ISO 8601). */
  deprecatedAt: string;
  /** When it stops answering (ISO 8601). */
  sunsetAt: string;
  /** What to use instead. */
  successor: string;
}

/** Every retirement. Add a line here to deprecate a route or a version. */
export const RETIREMENTS: readonly Retirement[] = [
  { match: 'POST /v1/account-validation', deprecatedAt: '2026-11-01T00:00:00Z', sunsetAt: '2027-06-30T00:00:00Z', successor: '/v1/accounts/validate' },
];

/** The retirement covering `method` `url` (a route pattern), if any. */
export function retirementOf(method: string, url: string, table: readonly Retirement[] = RETIREMENTS): Retirement | undefined {
  return table.find((r) => (r.match.startsWith('/') ? url.startsWith(r.match) : r.match === `${method} ${url}`));
}

/**
 * Applies `table` to `app`: call before any route is registered (the OpenAPI plugin included), so
 * that every route is seen.
 */
export function applyRetirements(app: FastifyInstance, clock: Clock, table: readonly Retirement[] = RETIREMENTS): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const r = retirementOf(method, route.url, table);
      if (r === undefined) continue;
      route.schema = { ...route.schema, deprecated: true, description: `${route.schema?.description ?? ''} Deprecated since ${r.deprecatedAt}; answers 410 after ${r.sunsetAt}. Use ${r.successor}.`.trim() } as RouteOptions['schema'];
      // A hook on the retiring route only: every other request pays nothing for this table.
      const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
      route.onRequest = [retiringHook(r, clock), ...existing] as RouteOptions['onRequest'];
    }
  });
}

function retiringHook(r: Retirement, clock: Clock) {
  const deprecation = `@${Math.floor(Date.parse(r.deprecatedAt) / 1000)}`;
  const sunset = new Date(r.sunsetAt).toUTCString();
  const link = `<${r.successor}>; rel="successor-version"`;
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.header('deprecation', deprecation).header('sunset', sunset).header('link', link);
    if (clock.now() >= Date.parse(r.sunsetAt)) {
      throw new InterlockError('not-found', `${req.method} ${req.routeOptions.url ?? ''} was retired on ${r.sunsetAt}: use ${r.successor}`, { status: 410, type: 'retired', details: { successor: r.successor } });
    }
  };
}
