/**
 * Admin API: the approvals people owe (viewer role to list). Runs waiting on an approval step,
 * with what they ask (the step's request) and where to decide — deciding is
 * `POST /admin/runs/{id}/approve|reject` (approver role), not a second route for the same thing.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { FlowRuntime } from '../../engine/flows/runtime.ts';
import { APPROVAL } from '../../engine/flows/waits.ts';

const ListQuery = Type.Object(
  { flow: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) },
  { additionalProperties: false },
);

/** Registers `/admin/approvals`. */
export function approvalRoutes(app: FastifyInstance, flows: FlowRuntime): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/admin/approvals',
    { schema: { tags: ['admin'], summary: 'Pending approvals: runs waiting for a decision', querystring: ListQuery } },
    async (req) => {
      const waiting = await flows.runs.list({ status: 'waiting', ...(req.query.flow === undefined ? {} : { flow: req.query.flow }) }, 1000, 0);
      const pending = waiting.filter((r) => r.waitingFor === APPROVAL).slice(0, req.query.limit);
      const items = await Promise.all(
        pending.map(async (r) => {
          const detail = await flows.runs.get(r.id);
          const step = detail.steps.find((s) => s.kind === 'approval' && s.status === 'waiting');
          return {
            runId: r.id,
            flow: r.flow,
            key: r.key,
            step: step?.name ?? null,
            request: step?.waitingFor ?? null,
            since: step?.startedAt ?? r.updatedAt,
            approveUrl: `/admin/runs/${r.id}/approve`,
            rejectUrl: `/admin/runs/${r.id}/reject`,
          };
        }),
      );
      return { items };
    },
  );
}
