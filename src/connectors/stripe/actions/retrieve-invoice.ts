/** Reads one invoice (billing feedback confirms a webhook's claim against Stripe's current state). */
import type { StripeClient } from '../client.ts';
import type { StripeInvoice } from '../types.ts';

/** The invoice `invoiceId`; `not-found` when Stripe has none. */
export async function retrieveInvoice(client: StripeClient, invoiceId: string): Promise<StripeInvoice> {
  return client.get<StripeInvoice>(`invoices/${encodeURIComponent(invoiceId)}`);
}
