/**
 * `GET /v1/customers/{externalId}/credit`: NetSuite credit limit against open balance.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { creditStatus } from '../sync/credit-status.ts';
import { describePolicy } from '../sync/policies.ts';
import { FreshnessFields, Nullable, responses } from './schemas.ts';
import { systemsOf, type V1Deps } from './v1-deps.ts';

const Params = Type.Object({ externalId: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,100}$', description: 'The customer\'s NetSuite external id (the Salesforce Account Id, or its External Id)' }) });
const Query = Type.Object({ amount: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12, description: 'An order amount to test against the credit left' })) }, { additionalProperties: false });

/** The answer of a credit check. */
export const CreditStatusSchema = Type.Object({
  externalId: Type.String(),
  customerId: Type.String(),
  entityId: Nullable(Type.String()),
  creditLimit: Nullable(Type.Number()),
  balance: Type.Number({ description: 'Open balance' }),
  currency: Nullable(Type.String()),
  onHold: Type.Boolean(),
  status: Type.Union(['within-limit', 'over-limit', 'no-limit', 'on-hold'].map((s) => Type.Literal(s))),
  available: Nullable(Type.Number()),
  orderAmount: Nullable(Type.Number()),
  fits: Type.Boolean(),
  ...FreshnessFields,
});

/** Registers the credit route. */
export function creditRoutes(app: FastifyInstance, deps: V1Deps): void {
  app.get<{ Params: Static<typeof Params>; Querystring: Static<typeof Query> }>(
    '/v1/customers/:externalId/credit',
    {
      schema: {
        tags: ['credit'],
        summary: 'Credit status',
        description: `The NetSuite customer's credit limit against its open balance, and whether an order of \`amount\` fits. ${describePolicy('credit-status')}`,
        params: Params,
        querystring: Query,
        response: responses(200, CreditStatusSchema, 'The credit verdict'),
      },
    },
    async (req) => creditStatus(deps, systemsOf(deps), req.params.externalId, req.query.amount),
  );
}
