/**
 * Order: a booked sale. Lines, legal entity, tax attributes, billing and shipping, payment terms,
 * subscription terms and the references to where it came from. Commercial domain.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { CanonicalContract } from './contract.ts';
import {
  Address,
  canonicalObject,
  CurrencyCode,
  DateOnly,
  Money,
  PaymentTerms,
  TaxAttributes,
} from './common.ts';
import { CommercialLine } from './line.ts';

/** Contract version of {@link OrderSchema}. */
export const ORDER_VERSION = '1.0.0';

/** Lifecycle of an order. */
export const OrderStatus = Type.Union([
  Type.Literal('draft'),
  Type.Literal('pending'),
  Type.Literal('booked'),
  Type.Literal('fulfilled'),
  Type.Literal('cancelled'),
]);

/** JSON Schema of the canonical Order. */
export const OrderSchema = canonicalObject('order', ORDER_VERSION, 'A booked sales order', {
  orderNumber: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  customerId: Type.String({ minLength: 1 }),
  status: OrderStatus,
  orderDate: Type.Optional(DateOnly),
  currency: CurrencyCode,
  legalEntity: Type.Optional(Type.String()),
  tax: Type.Optional(TaxAttributes),
  billingAddress: Type.Optional(Address),
  shippingAddress: Type.Optional(Address),
  paymentTerms: Type.Optional(PaymentTerms),
  subscriptionTerms: Type.Optional(
    Type.Object(
      {
        termMonths: Type.Integer({ minimum: 1 }),
        startDate: Type.Optional(DateOnly),
        autoRenew: Type.Optional(Type.Boolean()),
        billingPeriod: Type.Optional(Type.Union([Type.Literal('month'), Type.Literal('year')])),
      },
      { additionalProperties: false },
    ),
  ),
  sourceQuoteId: Type.Optional(Type.String()),
  total: Type.Optional(Money),
  lines: Type.Array(CommercialLine),
});

/** The canonical Order. */
export type Order = Static<typeof OrderSchema>;

/** The Order contract as the registry stores it. */
export const OrderContract: CanonicalContract<typeof OrderSchema> = {
  subject: 'order',
  version: ORDER_VERSION,
  owner: 'commercial',
  kind: 'object',
  schema: OrderSchema,
};
