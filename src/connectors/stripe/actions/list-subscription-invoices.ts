/** Lists the invoices of a subscription, every page, newest first. */
import type { StripeClient } from '../client.ts';
import type { StripeInvoice, StripeInvoiceStatus } from '../types.ts';

/** Options of {@link listSubscriptionInvoices}. */
export interface ListSubscriptionInvoicesInput {
  subscriptionId: string;
  /** Only invoices in this status. */
  status?: StripeInvoiceStatus;
}

/** Every invoice of the subscription, fetched page by page as the caller iterates. */
export function listSubscriptionInvoices(client: StripeClient, input: ListSubscriptionInvoicesInput): AsyncGenerator<StripeInvoice> {
  return client.list<StripeInvoice>('invoices', { subscription: input.subscriptionId, status: input.status });
}
