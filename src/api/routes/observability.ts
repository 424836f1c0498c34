/**
 * Observability over HTTP: `GET /metrics` (Prometheus text, outside the admin scope so a scraper
 * needs no key; 404 when `observability.metrics` is off), and for viewers `GET /admin/overview`
 * (KPIs, SLOs, system health, 24 h series) and `GET /admin/lineage/:id` (what an id of any
 * system caused or came from, with a timeline).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { notFoundError } from '../../core/errors.ts';
import { lineageOf } from '../../observability/lineage/lineage.ts';
import type { Observatory } from '../../observability/observatory.ts';
import { recentSpansOf } from '../../observability/tracing.ts';
import type { Store } from '../../store/store.ts';

const VIEWER = { role: 'viewer' } as const;
// Ids are printable: a control character (NUL above all, which PostgreSQL text refuses) is a 400.
const LineageParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }) }, { additionalProperties: false });

/** Registers `GET /metrics` (unless metrics are off). */
export function metricsRoute(app: FastifyInstance, observatory: Observatory, enabled: boolean): void {
  if (!enabled) return;
  app.get('/metrics', { schema: { tags: ['observability'], summary: 'Prometheus metrics (text format 0.0.4)' } }, async (_req, reply) => {
    const text = await observatory.metricsText();
    return reply.header('content-type', observatory.contentType).send(text);
  });
}

/** Registers `/admin/overview` and `/admin/lineage/:id` in the admin scope. */
export function observabilityRoutes(admin: FastifyInstance, deps: { observatory: Observatory; store: Store }): void {
  admin.get('/admin/overview', { config: VIEWER, schema: { tags: ['admin'], summary: 'Business KPIs, SLOs with their error budgets, system health and 24 h series' } }, () =>
    deps.observatory.overview(),
  );

  admin.get<{ Params: Static<typeof LineageParams> }>(
    '/admin/lineage/:id',
    { config: VIEWER, schema: { tags: ['admin'], summary: 'Lineage of an id of any system: events, runs, steps, records, messages and a timeline', params: LineageParams } },
    async (req) => {
      const answer = await lineageOf(deps.store, req.params.id, { spans: recentSpansOf });
      if (answer === undefined) throw notFoundError(`nothing is known about "${req.params.id}"`);
      return answer;
    },
  );
}
