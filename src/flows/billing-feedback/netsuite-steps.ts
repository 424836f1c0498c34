/**
 * The NetSuite half of billing feedback: the invoice billed from the deal's sales order (found
 * by its external id, the Opportunity Id) with the Stripe invoice id as its own external id, the
 * payment recorded once per Stripe invoice, and a failed payment marked on the invoice.
 */
import { billSalesOrder } from '../../connectors/netsuite/actions/bill-sales-order.ts';
import { recordPayment } from '../../connectors/netsuite/actions/record-payment.ts';
import { updateInvoice } from '../../connectors/netsuite/actions/update-invoice.ts';
import type { NetSuiteClient } from '../../connectors/netsuite/client.ts';
import type { StripeInvoice } from '../../connectors/stripe/types.ts';
import { isoDate } from '../stripe-events/stale-guard.ts';
import type { BilledLine } from './invoice-lines.ts';

/** Custom body field on the NetSuite invoice: `Paid` or `Payment Failed`. */
export const PAYMENT_STATUS_FIELD = 'custbody_interlock_payment_status';
/** Custom body field on the NetSuite invoice: Stripe's payment attempts so far. */
export const PAYMENT_ATTEMPTS_FIELD = 'custbody_interlock_payment_attempts';

/** The NetSuite invoice as the flow remembers it. */
export interface BilledInvoice {
  id: string;
  tranId: string;
  created: boolean;
}

/** Bills the deal's sales order for the Stripe invoice, or finds the invoice an earlier attempt made. */
export async function billStripeInvoice(client: NetSuiteClient, invoice: StripeInvoice, opportunityId: string, lines: BilledLine[] | undefined): Promise<BilledInvoice> {
  const result = await billSalesOrder(client, {
    salesOrder: { externalId: opportunityId },
    externalId: invoice.id,
    tranDate: isoDate(invoice.created),
    otherRefNum: invoice.number ?? invoice.id,
    memo: `Stripe invoice ${invoice.number ?? invoice.id}`,
    ...(lines === undefined ? {} : { lines }),
  });
  return { id: result.invoice.id, tranId: result.invoice.tranId, created: result.created };
}

/** Records the Stripe payment against the NetSuite invoice, once per Stripe invoice. */
export async function recordStripePayment(client: NetSuiteClient, invoice: StripeInvoice, billed: BilledInvoice, paidAt: number): Promise<{ paymentId: string; status: string | undefined }> {
  const paid = await recordPayment(client, {
    invoice: { id: billed.id },
    externalId: `${invoice.id}:payment`,
    amount: invoice.amount_paid / 100,
    tranDate: isoDate(paidAt),
    memo: `Stripe payment of invoice ${invoice.number ?? invoice.id}`,
  });
  await updateInvoice(client, { id: billed.id }, { [PAYMENT_STATUS_FIELD]: 'Paid', [PAYMENT_ATTEMPTS_FIELD]: invoice.attempt_count });
  return { paymentId: paid.paymentId, status: paid.invoice.status?.refName };
}

/** Marks the NetSuite invoice's payment failed (it stays open for the next attempt). */
export async function markPaymentFailed(client: NetSuiteClient, invoice: StripeInvoice, billed: BilledInvoice): Promise<{ attempts: number }> {
  await updateInvoice(client, { id: billed.id }, { [PAYMENT_STATUS_FIELD]: 'Payment Failed', [PAYMENT_ATTEMPTS_FIELD]: invoice.attempt_count });
  return { attempts: invoice.attempt_count };
}
