/** Payment: money received against invoices. Finance domain. */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { CanonicalContract } from './contract.ts';
import { canonicalObject, Money, Timestamp } from './common.ts';

/** Contract version of {@link PaymentSchema}. */
export const PAYMENT_VERSION = '1.0.0';

/** JSON Schema of the canonical Payment. */
export const PaymentSchema = canonicalObject('payment', PAYMENT_VERSION, 'Money received from a customer', {
  customerId: Type.String({ minLength: 1 }),
  invoiceIds: Type.Optional(Type.Array(Type.String())),
  amount: Money,
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('refunded')]),
  method: Type.Optional(Type.String({ description: 'card, ach, wire, …' })),
  receivedAt: Type.Optional(Timestamp),
  failureReason: Type.Optional(Type.String()),
});

/** The canonical Payment. */
export type Payment = Static<typeof PaymentSchema>;

/** The Payment contract as the registry stores it. */
export const PaymentContract: CanonicalContract<typeof PaymentSchema> = {
  subject: 'payment',
  version: PAYMENT_VERSION,
  owner: 'finance',
  kind: 'object',
  schema: PaymentSchema,
};
