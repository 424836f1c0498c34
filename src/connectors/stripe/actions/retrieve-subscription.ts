/** Reads one subscription (a flow re-reading state after a webhook, or checking a compensation). */
import type { StripeClient } from '../client.ts';
import type { StripeSubscription } from '../types.ts';

/** The subscription `subscriptionId`; `not-found` when Stripe has none. */
export async function retrieveSubscription(client: StripeClient, subscriptionId: string): Promise<StripeSubscription> {
  return client.get<StripeSubscription>(`subscriptions/${encodeURIComponent(subscriptionId)}`);
}
