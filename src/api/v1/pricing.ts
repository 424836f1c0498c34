/**
 * `POST /v1/pricing/check`: proposed lines against the Salesforce price book.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { checkPricing } from '../sync/pricing-check.ts';
import { describePolicy } from '../sync/policies.ts';
import { Currency, FreshnessFields, IdempotencyHeaders, Nullable, responses, SalesforceId } from './schemas.ts';
import { systemsOf, type V1Deps } from './v1-deps.ts';

const Line = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 100, description: 'Product code (the NetSuite item)' }),
    quantity: Type.Number({ exclusiveMinimum: 0, maximum: 1e9 }),
    unitPrice: Type.Number({ minimum: 0, maximum: 1e12 }),
  },
  { additionalProperties: false },
);
const Body = Type.Object(
  { currency: Type.Optional(Currency), priceBookId: Type.Optional(SalesforceId), lines: Type.Array(Line, { minItems: 1, maxItems: 200 }) },
  { additionalProperties: false },
);

/** The answer of a pricing check. */
export const PricingCheckSchema = Type.Object({
  valid: Type.Boolean(),
  currency: Type.String(),
  priceBook: Type.String(),
  lines: Type.Array(
    Type.Object({
      sku: Type.String(),
      quantity: Type.Number(),
      unitPrice: Type.Number(),
      ok: Type.Boolean(),
      listPrice: Nullable(Type.Number()),
      discountPercent: Nullable(Type.Number()),
      recurring: Nullable(Type.Boolean()),
      problem: Type.Optional(Type.String()),
    }),
  ),
  total: Type.Number(),
  maxDiscountPercent: Type.Number(),
  needsApproval: Type.Boolean({ description: 'The largest discount is above the threshold: booking will wait for an approver.' }),
  ...FreshnessFields,
});

/** Registers the pricing route. */
export function pricingRoutes(app: FastifyInstance, deps: V1Deps): void {
  app.post<{ Body: Static<typeof Body> }>(
    '/v1/pricing/check',
    {
      schema: {
        tags: ['pricing'],
        summary: 'Pricing check',
        description: `Each SKU must be in the price book (the standard one unless priceBookId is given) in the currency, at or below its list price. ${describePolicy('pricing-check')}`,
        headers: IdempotencyHeaders,
        body: Body,
        response: responses(200, PricingCheckSchema, 'Each line priced against the book'),
      },
    },
    async (req) => checkPricing(deps, systemsOf(deps), { currency: req.body.currency ?? 'USD', priceBookId: req.body.priceBookId, lines: req.body.lines }),
  );
}
