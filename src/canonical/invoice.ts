/** Invoice: a bill to a customer with lines, tax, status, due date and open balance. Finance domain. */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { CanonicalContract } from './contract.ts';
import { canonicalObject, CurrencyCode, DateOnly, Money } from './common.ts';
import { CommercialLine } from './line.ts';

/** Contract version of {@link InvoiceSchema}. */
export const INVOICE_VERSION = '1.0.0';

/** JSON Schema of the canonical Invoice. */
export const InvoiceSchema = canonicalObject('invoice', INVOICE_VERSION, 'A bill to a customer', {
  invoiceNumber: Type.Optional(Type.String()),
  customerId: Type.String({ minLength: 1 }),
  orderId: Type.Optional(Type.String()),
  subscriptionId: Type.Optional(Type.String()),
  status: Type.Union([
    Type.Literal('draft'),
    Type.Literal('open'),
    Type.Literal('paid'),
    Type.Literal('uncollectible'),
    Type.Literal('void'),
  ]),
  currency: CurrencyCode,
  issueDate: Type.Optional(DateOnly),
  dueDate: Type.Optional(DateOnly),
  subtotal: Type.Optional(Money),
  tax: Type.Optional(Money),
  total: Money,
  amountPaid: Type.Optional(Money),
  balance: Money,
  lines: Type.Array(CommercialLine),
});

/** The canonical Invoice. */
export type Invoice = Static<typeof InvoiceSchema>;

/** The Invoice contract as the registry stores it. */
export const InvoiceContract: CanonicalContract<typeof InvoiceSchema> = {
  subject: 'invoice',
  version: INVOICE_VERSION,
  owner: 'finance',
  kind: 'object',
  schema: InvoiceSchema,
};
