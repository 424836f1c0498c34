/**
 * Customer: the account a company sells to, with its legal entity, addresses, tax identity,
 * currency, payment terms, credit status and parent account. Owned by the customer domain.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { CanonicalContract } from './contract.ts';
import { Address, canonicalObject, CurrencyCode, Money, PaymentTerms, TaxAttributes, TaxId } from './common.ts';

/** Contract version of {@link CustomerSchema}. */
export const CUSTOMER_VERSION = '1.0.0';

/** JSON Schema of the canonical Customer. */
export const CustomerSchema = canonicalObject('customer', CUSTOMER_VERSION, 'A customer account', {
  name: Type.String({ minLength: 1 }),
  accountNumber: Type.Optional(Type.String()),
  email: Type.Optional(Type.String({ format: 'email' })),
  phone: Type.Optional(Type.String()),
  website: Type.Optional(Type.String()),
  legalEntity: Type.Optional(Type.String({ description: 'Selling legal entity / subsidiary code' })),
  billingAddress: Type.Optional(Address),
  shippingAddress: Type.Optional(Address),
  taxIds: Type.Optional(Type.Array(TaxId)),
  tax: Type.Optional(TaxAttributes),
  currency: Type.Optional(CurrencyCode),
  paymentTerms: Type.Optional(PaymentTerms),
  creditStatus: Type.Optional(Type.Union([Type.Literal('good'), Type.Literal('hold'), Type.Literal('blocked')])),
  creditLimit: Type.Optional(Money),
  parentId: Type.Optional(Type.String({ description: 'Canonical id of the parent account' })),
});

/** The canonical Customer. */
export type Customer = Static<typeof CustomerSchema>;

/** The Customer contract as the registry stores it. */
export const CustomerContract: CanonicalContract<typeof CustomerSchema> = {
  subject: 'customer',
  version: CUSTOMER_VERSION,
  owner: 'customer',
  kind: 'object',
  schema: CustomerSchema,
};
