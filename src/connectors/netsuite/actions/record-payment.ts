/**
 * Records a customer payment against an invoice (transform invoice → customerPayment), keyed by
 * the payment's id in the billing system so a repeated payment event pays once.
 */
import type { NetSuiteClient } from '../client.ts';
import { getInvoice } from './get-invoice.ts';
import type { Invoice } from './get-invoice.ts';
import type { NetSuiteRef } from './records.ts';
import { transformOnce } from './transform-once.ts';

/** The payment. */
export interface RecordPaymentInput {
  invoice: NetSuiteRef;
  /** External id of the payment (e.g. the Stripe charge or invoice id): the caller's idempotency key. */
  externalId: string;
  /** Amount paid; NetSuite applies the invoice's remaining amount when absent. */
  amount?: number;
  tranDate?: string;
  memo?: string;
}

/** Records the payment; answers its id and the invoice as it stands afterwards. */
export async function recordPayment(client: NetSuiteClient, input: RecordPaymentInput): Promise<{ paymentId: string; created: boolean; invoice: Invoice }> {
  const invoice = await getInvoice(client, input.invoice);
  const body = {
    ...(input.amount === undefined ? {} : { payment: input.amount }),
    ...(input.tranDate === undefined ? {} : { tranDate: input.tranDate }),
    ...(input.memo === undefined ? {} : { memo: input.memo }),
  };
  const made = await transformOnce(client, { fromType: 'invoice', fromId: invoice.id, toType: 'customerPayment', externalId: input.externalId, body });
  return { paymentId: made.id, created: made.created, invoice: await getInvoice(client, { id: invoice.id }) };
}
