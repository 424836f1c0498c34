/**
 * `POST /v1/sales-orders`: order submission for the manufacturer story — checked against SAP now,
 * booked by the asynchronous flow; its status is `GET /v1/orders/{runId}`.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { MANUFACTURER_ORDER_FLOW } from '../sync/manufacturer-flow.ts';
import { describePolicy } from '../sync/policies.ts';
import { submitSalesOrder } from '../sync/sales-order-submission.ts';
import { sapOf } from '../sync/sap-systems.ts';
import { Material, Plant, Quantity } from './availability.ts';
import { ExternalRef, SalesArea } from './business-partners.ts';
import { Currency, IdempotencyHeaders, Nullable, responses } from './schemas.ts';
import type { V1Deps } from './v1-deps.ts';

const Guid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', description: 'The Dynamics 365 opportunity id (a GUID)' });
const Line = Type.Object(
  { material: Material, quantity: Quantity, unitPrice: Type.Number({ minimum: 0, maximum: 1e12, description: 'Net price per base unit, in the order currency' }) },
  { additionalProperties: false },
);
const Body = Type.Object(
  {
    opportunityId: Guid,
    accountNumber: ExternalRef,
    currency: Currency,
    plant: Plant,
    salesArea: Type.Optional(SalesArea),
    requestedDate: Type.Optional(Type.String({ format: 'date' })),
    creditSegment: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{1,10}$', description: 'SAP credit segment; default 1000' })),
    lines: Type.Array(Line, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);

/** The answer of a submission. */
export const SalesOrderSubmissionSchema = Type.Object({
  runId: Type.Integer(),
  outcome: Type.Union([Type.Literal('started'), Type.Literal('attached')], { description: '`attached`: the opportunity already had an active run, which this joins' }),
  flow: Type.String(),
  opportunityId: Type.String(),
  businessPartner: Type.String(),
  currency: Type.String(),
  total: Type.Number(),
  lines: Type.Array(Type.Object({ material: Type.String(), plant: Type.String(), quantity: Type.Number(), availableQuantity: Nullable(Type.Number()), unit: Nullable(Type.String()), sufficient: Type.Boolean(), shortfall: Type.Number() })),
  credit: Type.Object({ status: Type.String(), available: Nullable(Type.Number()), currency: Nullable(Type.String()) }),
  statusUrl: Type.String(),
});

/** Registers the manufacturer order submission route. */
export function salesOrderRoutes(app: FastifyInstance, deps: V1Deps): void {
  app.post<{ Body: Static<typeof Body> }>(
    '/v1/sales-orders',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['orders'],
        summary: 'Order submission (SAP S/4HANA)',
        description:
          'Checks the order against SAP — the business partner of `accountNumber` is a customer in the sales area and currency, every line can be promised (ATP), the total fits the credit left — ' +
          `and starts (or joins) the \`${MANUFACTURER_ORDER_FLOW}\` run of the opportunity, which books the SAP sales order. 422 \`order-invalid\` lists the problems. Needs the operator role and \`connectors.sap\`. ${describePolicy('sales-order-submission')}`,
        headers: IdempotencyHeaders,
        body: Body,
        response: responses(202, SalesOrderSubmissionSchema, 'Accepted: the run books the order; poll statusUrl'),
      },
    },
    async (req, reply) => {
      const submitted = await submitSalesOrder(deps, sapOf(deps.sap), req.body);
      return reply.code(202).header('location', submitted.statusUrl).send(submitted);
    },
  );
}
