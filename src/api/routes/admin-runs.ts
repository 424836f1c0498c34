/**
 * Admin API for workflow runs: list and inspect (with the step timeline and payloads), start,
 * retry a failed step, cancel (with compensation), approve or reject, and send an event to a
 * waiting run (or to every run waiting for its type).
 */
import { Type, type Static } from '@sinclair/typebox';
import { noBody } from '../route-config.ts';
import type { FastifyInstance } from 'fastify';
import type { FlowRuntime } from '../../engine/flows/runtime.ts';
import { actorName } from '../../security/principal.ts';

const STATUSES = ['queued', 'running', 'waiting', 'compensating', 'completed', 'failed', 'compensated', 'compensation-failed', 'cancelled'] as const;

const ListQuery = Type.Object(
  {
    flow: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    key: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const StartBody = Type.Object(
  { flow: Type.String({ minLength: 1, maxLength: 100 }), key: Type.String({ minLength: 1, maxLength: 500 }), input: Type.Optional(Type.Unknown()) },
  { additionalProperties: false },
);
const DecisionBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });
const EventBody = Type.Object(
  { type: Type.String({ minLength: 1, maxLength: 200 }), payload: Type.Optional(Type.Unknown()) },
  { additionalProperties: false },
);

/** Registers the run routes under `/admin/runs` (and `/admin/events`). */
export function runRoutes(app: FastifyInstance, flows: FlowRuntime): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/admin/runs', { schema: { querystring: ListQuery } }, async (req) => {
    const { limit, offset, ...filter } = req.query;
    return { items: await flows.runs.list(filter, limit, offset) };
  });

  app.get<{ Params: Static<typeof IdParams> }>('/admin/runs/:id', { schema: { params: IdParams } }, async (req) => flows.runs.get(req.params.id));

  app.post<{ Body: Static<typeof StartBody> }>('/admin/runs', { schema: { body: StartBody } }, async (req, reply) => {
    const result = await flows.start(req.body.flow, { key: req.body.key, input: req.body.input ?? null });
    return reply.code(result.outcome === 'attached' ? 200 : 201).send(result);
  });

  app.post<{ Params: Static<typeof IdParams> }>('/admin/runs/:id/retry', { schema: { params: IdParams }, preValidation: noBody }, async (req) =>
    flows.runs.retry(req.params.id, actorName(req)),
  );

  app.post<{ Params: Static<typeof IdParams> }>('/admin/runs/:id/cancel', { schema: { params: IdParams }, preValidation: noBody }, async (req) =>
    flows.runs.cancel(req.params.id, actorName(req)),
  );

  for (const action of ['approve', 'reject'] as const) {
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof DecisionBody> | undefined }>(
      `/admin/runs/:id/${action}`,
      { schema: { params: IdParams, body: Type.Optional(DecisionBody) } },
      async (req) => flows.runs.decide(req.params.id, { approved: action === 'approve', by: actorName(req), reason: req.body?.reason ?? null }),
    );
  }

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EventBody> }>(
    '/admin/runs/:id/events',
    { schema: { params: IdParams, body: EventBody } },
    async (req) => ({ delivered: await flows.runs.sendEvent(req.body.type, req.body.payload ?? null, req.params.id) }),
  );

  app.post<{ Body: Static<typeof EventBody> }>('/admin/events', { schema: { body: EventBody } }, async (req) => ({
    delivered: await flows.runs.sendEvent(req.body.type, req.body.payload ?? null),
  }));
}
