/**
 * `POST /v1/orders` (validate synchronously, then hand the opportunity to lead-to-order) and
 * `GET /v1/orders/{runId}` (where that run is).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { notFoundError } from '../../core/errors.ts';
import { describePolicy } from '../sync/policies.ts';
import { MANUFACTURER_ORDER_FLOW } from '../sync/manufacturer-flow.ts';
import { ORDER_FLOW, submitOrder } from '../sync/order-submission.ts';
import { IdempotencyHeaders, Nullable, responses, SalesforceId } from './schemas.ts';
import { systemsOf, type V1Deps } from './v1-deps.ts';

const Body = Type.Object({ opportunityId: SalesforceId }, { additionalProperties: false });
const Params = Type.Object({ runId: Type.Integer({ minimum: 1 }) });

/** The answer of a submission. */
export const SubmissionSchema = Type.Object({
  runId: Type.Integer(),
  outcome: Type.Union([Type.Literal('started'), Type.Literal('attached')], { description: '`attached`: the opportunity already had an active run, which this joins' }),
  opportunityId: Type.String(),
  estimatedTax: Type.Number(),
  currency: Type.String(),
  total: Type.Number(),
  statusUrl: Type.String(),
});

/** Where an order's run is. */
export const OrderStatusSchema = Type.Object({
  runId: Type.Integer(),
  opportunityId: Type.String(),
  status: Type.String({ description: 'queued, running, waiting, completed, failed, compensating, compensated, compensation-failed, cancelled' }),
  waitingFor: Nullable(Type.String()),
  result: Type.Unknown({ description: 'The run\'s outcome once completed (NetSuite order number, Stripe ids…)' }),
  error: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  endedAt: Nullable(Type.String()),
});

/** Registers the order routes. */
export function orderRoutes(app: FastifyInstance, deps: V1Deps): void {
  app.post<{ Body: Static<typeof Body> }>(
    '/v1/orders',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['orders'],
        summary: 'Order submission',
        description:
          'Validates the Closed Won opportunity with the validation lead-to-order runs (legal entity, currency, price book, billing frequency, AvaTax estimate); ' +
          `a valid one starts (or joins) its lead-to-order run. 422 \`order-invalid\` lists the problems. Needs the operator role. ${describePolicy('order-submission')}`,
        headers: IdempotencyHeaders,
        body: Body,
        response: responses(202, SubmissionSchema, 'Accepted: the run books the order; poll statusUrl'),
      },
    },
    async (req, reply) => {
      const submitted = await submitOrder(deps, systemsOf(deps), req.body.opportunityId);
      return reply.code(202).header('location', submitted.statusUrl).send(submitted);
    },
  );

  app.get<{ Params: Static<typeof Params> }>(
    '/v1/orders/:runId',
    { schema: { tags: ['orders'], summary: 'Order status', description: 'The run of an order submitted through `POST /v1/orders` or `POST /v1/sales-orders`.', params: Params, response: responses(200, OrderStatusSchema, 'The run of the order') } },
    async (req) => {
      const run = await deps.flows.runs.get(req.params.runId).catch(() => undefined);
      // Orders of both stories: lead-to-order's, and the manufacturer flow's (`POST /v1/sales-orders`).
      if (run?.flow !== ORDER_FLOW && run?.flow !== MANUFACTURER_ORDER_FLOW) throw notFoundError(`no order run ${req.params.runId}`, { type: 'order-not-found' });
      return {
        runId: run.id,
        opportunityId: run.key,
        status: run.status,
        waitingFor: run.waitingFor,
        result: run.output,
        error: run.error,
        createdAt: run.createdAt,
        updatedAt: run.updatedAt,
        endedAt: run.endedAt,
      };
    },
  );
}
