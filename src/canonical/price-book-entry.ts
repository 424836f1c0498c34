/** PriceBookEntry: the price of a product in one price book and currency. Owned by the product domain. */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { CanonicalContract } from './contract.ts';
import { canonicalObject, Money } from './common.ts';

/** Contract version of {@link PriceBookEntrySchema}. */
export const PRICE_BOOK_ENTRY_VERSION = '1.0.0';

/** JSON Schema of the canonical PriceBookEntry. */
export const PriceBookEntrySchema = canonicalObject(
  'price-book-entry',
  PRICE_BOOK_ENTRY_VERSION,
  'A product price in a price book',
  {
    priceBookId: Type.String({ minLength: 1 }),
    productId: Type.String({ minLength: 1 }),
    unitPrice: Money,
    active: Type.Boolean(),
    billingPeriod: Type.Optional(
      Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('year')]),
    ),
  },
);

/** The canonical PriceBookEntry. */
export type PriceBookEntry = Static<typeof PriceBookEntrySchema>;

/** The PriceBookEntry contract as the registry stores it. */
export const PriceBookEntryContract: CanonicalContract<typeof PriceBookEntrySchema> = {
  subject: 'price-book-entry',
  version: PRICE_BOOK_ENTRY_VERSION,
  owner: 'product',
  kind: 'object',
  schema: PriceBookEntrySchema,
};
