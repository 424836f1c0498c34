/**
 * The commercial line shared by quotes, orders and invoices: product, quantity, prices, discount,
 * tax and (for recurring items) the service period.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { DateOnly, Decimal, Money } from './common.ts';

/** JSON Schema of one commercial line. */
export const CommercialLine = Type.Object(
  {
    lineNumber: Type.Integer({ minimum: 1 }),
    productId: Type.Optional(Type.String()),
    sku: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    quantity: Decimal,
    unit: Type.Optional(Type.String()),
    unitPrice: Money,
    discountPercent: Type.Optional(Decimal),
    amount: Type.Optional(Money),
    tax: Type.Optional(Money),
    taxCode: Type.Optional(Type.String()),
    serviceStart: Type.Optional(DateOnly),
    serviceEnd: Type.Optional(DateOnly),
    externalId: Type.Optional(Type.String({ description: 'Id of the line in its source system' })),
  },
  { additionalProperties: false },
);

/** One commercial line. */
export type CommercialLine = Static<typeof CommercialLine>;
