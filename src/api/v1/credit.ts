/**
 * `GET /v1/customers/{externalId}/credit`: the ERP's credit limit against what the customer owes —
 * NetSuite's open balance, or SAP's credit exposure (`source=sap`, or by default when SAP is the
 * only ERP configured).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { creditStatus } from '../sync/credit-status.ts';
import { sapCreditStatus } from '../sync/sap-credit.ts';
import { sapOf } from '../sync/sap-systems.ts';
import { describePolicy } from '../sync/policies.ts';
import { FreshnessFields, Nullable, responses } from './schemas.ts';
import { systemsOf, type V1Deps } from './v1-deps.ts';

const Params = Type.Object({ externalId: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,100}$', description: 'The customer\'s NetSuite external id (the Salesforce Account Id, or its External Id)' }) });
const Source = Type.Union([Type.Literal('netsuite'), Type.Literal('sap')]);
const Query = Type.Object(
  {
    amount: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12, description: 'An order amount to test against the credit left' })),
    source: Type.Optional(Type.Union([Type.Literal('netsuite'), Type.Literal('sap')], { description: 'The ERP asked: netsuite (default when the first story\'s connectors are configured) or sap (default otherwise)' })),
    segment: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{1,10}$', description: 'SAP credit segment (source sap); default 1000' })),
  },
  { additionalProperties: false },
);

/** The answer of a credit check. */
export const CreditStatusSchema = Type.Object({
  source: Source,
  externalId: Type.String(),
  customerId: Type.String(),
  entityId: Nullable(Type.String()),
  creditLimit: Nullable(Type.Number()),
  balance: Type.Number({ description: 'NetSuite: open balance. SAP: credit exposure (open orders, deliveries not billed, receivables)' }),
  unbilledOrders: Type.Optional(Nullable(Type.Number({ description: 'NetSuite: sales orders booked and not yet invoiced; counted against the limit with the balance' }))),
  overdueBalance: Type.Optional(Nullable(Type.Number({ description: 'NetSuite: the part of the balance past its due date' }))),
  currency: Nullable(Type.String()),
  onHold: Type.Boolean(),
  status: Type.Union(['within-limit', 'over-limit', 'no-limit', 'on-hold'].map((s) => Type.Literal(s))),
  available: Nullable(Type.Number()),
  orderAmount: Nullable(Type.Number()),
  fits: Type.Boolean(),
  reason: Type.String({ description: 'The verdict in a sentence, with its figures (limit, what is owed, what is left).' }),
  segment: Type.Optional(Type.String({ description: 'SAP credit segment' })),
  openOrders: Type.Optional(Type.Number({ description: 'SAP: open order value within the exposure' })),
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
        description:
          'The customer\'s credit limit against what it owes, and whether an order of `amount` fits. NetSuite: the customer by external id, its open balance. ' +
          `SAP: the business partner by external reference (the CRM account number), its exposure in a credit segment. ${describePolicy('credit-status')}`,
        params: Params,
        querystring: Query,
        response: responses(200, CreditStatusSchema, 'The credit verdict'),
      },
    },
    async (req) => {
      const source = req.query.source ?? (deps.systems === undefined && deps.sap !== undefined ? 'sap' : 'netsuite');
      if (source === 'sap') return { source, ...(await sapCreditStatus(deps, sapOf(deps.sap), req.params.externalId, req.query.amount, req.query.segment)) };
      return { source, ...(await creditStatus(deps, systemsOf(deps), req.params.externalId, req.query.amount)) };
    },
  );
}
