/** Quote: a priced offer to a customer, with lines, discounts, approval state and terms. Commercial domain. */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { CanonicalContract } from './contract.ts';
import { canonicalObject, CurrencyCode, DateOnly, Decimal, Money, PaymentTerms } from './common.ts';
import { CommercialLine } from './line.ts';

/** Contract version of {@link QuoteSchema}. */
export const QUOTE_VERSION = '1.0.0';

/** JSON Schema of the canonical Quote. */
export const QuoteSchema = canonicalObject('quote', QUOTE_VERSION, 'A priced offer to a customer', {
  quoteNumber: Type.Optional(Type.String()),
  customerId: Type.String({ minLength: 1 }),
  currency: CurrencyCode,
  status: Type.Union([
    Type.Literal('draft'),
    Type.Literal('in_review'),
    Type.Literal('approved'),
    Type.Literal('rejected'),
    Type.Literal('presented'),
    Type.Literal('accepted'),
  ]),
  approvalState: Type.Optional(
    Type.Union([Type.Literal('not_required'), Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')]),
  ),
  expiresOn: Type.Optional(DateOnly),
  discountPercent: Type.Optional(Decimal),
  subtotal: Type.Optional(Money),
  total: Type.Optional(Money),
  paymentTerms: Type.Optional(PaymentTerms),
  terms: Type.Optional(Type.String({ description: 'Free-text commercial terms' })),
  lines: Type.Array(CommercialLine),
});

/** The canonical Quote. */
export type Quote = Static<typeof QuoteSchema>;

/** The Quote contract as the registry stores it. */
export const QuoteContract: CanonicalContract<typeof QuoteSchema> = {
  subject: 'quote',
  version: QUOTE_VERSION,
  owner: 'commercial',
  kind: 'object',
  schema: QuoteSchema,
};
