/**
 * `POST /v1/tax/estimate`: an AvaTax estimate from a legal entity to an address, with the tax
 * jurisdictions it falls in.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { describePolicy } from '../sync/policies.ts';
import { estimate } from '../sync/tax-estimate.ts';
import { Currency, IdempotencyHeaders, responses } from './schemas.ts';
import { systemsOf, type V1Deps } from './v1-deps.ts';

const Text = (max: number) => Type.Optional(Type.String({ minLength: 1, maxLength: max }));
const Address = Type.Object(
  { line1: Text(200), line2: Text(200), city: Text(100), region: Text(100), postalCode: Text(20), country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' }) },
  { additionalProperties: false },
);
const Line = Type.Object(
  {
    number: Text(50),
    sku: Text(100),
    amount: Type.Number({ minimum: -1e12, maximum: 1e12, description: 'Extended amount of the line' }),
    quantity: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e9 })),
    taxCode: Text(25),
  },
  { additionalProperties: false },
);
const Body = Type.Object(
  {
    legalEntity: Type.String({ minLength: 1, maxLength: 100, description: 'The selling legal entity (ships from its address)' }),
    currency: Currency,
    shipTo: Address,
    customerCode: Text(50),
    date: Type.Optional(Type.String({ format: 'date' })),
    lines: Type.Array(Line, { minItems: 1, maxItems: 200 }),
  },
  { additionalProperties: false },
);

/** The estimate. */
export const TaxEstimateSchema = Type.Object({
  totalAmount: Type.Number(),
  totalTax: Type.Number(),
  currency: Type.String(),
  lines: Type.Array(Type.Object({ number: Type.String(), tax: Type.Number(), taxableAmount: Type.Number() })),
  jurisdictions: Type.Array(
    Type.Object({ name: Type.String(), type: Type.String({ description: 'AvaTax jurisdiction type: CNT (country), STA (state), CTY (county), CIT (city), STJ (special)' }), taxName: Type.String(), rate: Type.Number(), tax: Type.Number() }),
    { description: 'The tax jurisdictions of the ship-to address, with their rate and tax over the document' },
  ),
});

/** Registers the tax route. */
export function taxRoutes(app: FastifyInstance, deps: V1Deps): void {
  app.post<{ Body: Static<typeof Body> }>(
    '/v1/tax/estimate',
    {
      schema: {
        tags: ['tax'],
        summary: 'Tax estimate',
        description: `An AvaTax SalesOrder (calculated, never saved). AvaTax refusing the document answers 422 \`tax-refused\` with its reason. ${describePolicy('tax-estimate')}`,
        headers: IdempotencyHeaders,
        body: Body,
        response: responses(200, TaxEstimateSchema, 'The estimate'),
      },
    },
    // Either story's AvaTax: the first story's systems, or the one configured beside SAP.
    async (req) => estimate(deps, deps.systems ?? deps.sap?.tax ?? systemsOf(deps), req.body),
  );
}
