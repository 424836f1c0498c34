/**
 * Admin API for reconciliation: the jobs, the run history, a run's report (JSON page or the
 * whole report as CSV), running a job (and healing it), and approving or rejecting a heal that
 * waits for a person (approver role, as every approve/reject).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.ts';
import { principalOf } from '../../security/principal.ts';
import { noBody } from '../route-config.ts';
import type { Store } from '../../store/store.ts';
import { RECONCILE_JOBS } from '../../sync/jobs/index.ts';
import { toCsv } from '../../sync/reconcile/export.ts';
import type { StoredDiscrepancy } from '../../sync/reconcile/discrepancy.ts';
import { ReconcileService } from '../../sync/reconcile-service.ts';
import { requireSystems, type Systems } from '../../sync/systems/systems.ts';

const JobParams = Type.Object({ job: Type.Union(Object.keys(RECONCILE_JOBS).map((j) => Type.Literal(j))) });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const RunsQuery = Type.Object(
  { job: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }) },
  { additionalProperties: false },
);
const HEAL_STATUSES = ['none', 'pending-approval', 'healing', 'healed', 'failed', 'manual', 'rejected'] as const;
const ReportQuery = Type.Object(
  {
    format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }),
    healStatus: Type.Optional(Type.Union(HEAL_STATUSES.map((s) => Type.Literal(s)))),
    limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
    after: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);
const RunBody = Type.Object(
  {
    heal: Type.Optional(Type.Boolean()),
    safe: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 })),
    tolerance: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);
const RejectBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });

/** Registers the reconciliation routes under `/admin/reconcile`. */
export function reconcileRoutes(app: FastifyInstance, deps: { store: Store; clock: Clock; systems: Systems | undefined }): void {
  const service = new ReconcileService({ store: deps.store, clock: deps.clock, systems: () => requireSystems(deps.systems) });

  app.get('/admin/reconcile/jobs', async () => ({
    items: Object.values(RECONCILE_JOBS).map((j) => ({ name: j.name, description: j.description, safe: j.safe })),
  }));

  app.get<{ Querystring: Static<typeof RunsQuery> }>('/admin/reconcile/runs', { schema: { querystring: RunsQuery } }, async (req) => ({
    items: await service.runs.list({ ...(req.query.job === undefined ? {} : { job: req.query.job }), limit: req.query.limit }),
  }));

  app.get<{ Params: Static<typeof IdParams> }>('/admin/reconcile/runs/:id', { schema: { params: IdParams } }, async (req) => service.runs.get(req.params.id));

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof ReportQuery> }>(
    '/admin/reconcile/runs/:id/discrepancies',
    { schema: { params: IdParams, querystring: ReportQuery } },
    async (req, reply) => {
      const run = await service.runs.get(req.params.id);
      const filter = req.query.healStatus === undefined ? {} : { healStatus: req.query.healStatus };
      if (req.query.format === 'csv') {
        // The whole report, streamed: a CSV export of any size never sits in memory.
        reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="reconcile-${run.job}-${run.id}.csv"`);
        return reply.send(Readable.from(toCsv(service.runs.discrepancies(run.id, filter))));
      }
      const items: StoredDiscrepancy[] = [];
      for await (const d of service.runs.discrepancies(run.id, filter)) {
        if (d.id <= req.query.after) continue;
        items.push(d);
        if (items.length >= req.query.limit) break;
      }
      return { run, items, next: items.length === req.query.limit ? items.at(-1)?.id : null };
    },
  );

  app.post<{ Params: Static<typeof JobParams>; Body: Static<typeof RunBody> | undefined }>(
    '/admin/reconcile/:job/run',
    { schema: { params: JobParams, body: Type.Optional(RunBody) } },
    async (req, reply) => {
      const body = req.body ?? {};
      const out = await service.reconcile(req.params.job, {
        actor: actorOf(req),
        heal: body.heal === true,
        ...(body.safe === undefined ? {} : { safe: body.safe }),
        ...(body.tolerance === undefined ? {} : { tolerance: body.tolerance }),
      });
      return reply.code(201).send(out);
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>('/admin/reconcile/discrepancies/:id/approve', { schema: { params: IdParams }, preValidation: noBody }, async (req) =>
    service.approve(req.params.id, actorOf(req)),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RejectBody> }>(
    '/admin/reconcile/discrepancies/:id/reject',
    { schema: { params: IdParams, body: RejectBody } },
    async (req) => service.reject(req.params.id, actorOf(req), req.body.reason),
  );
}

function actorOf(req: FastifyRequest): string {
  return principalOf(req)?.actor ?? 'admin-api';
}
