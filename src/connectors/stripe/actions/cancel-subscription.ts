/**
 * Cancels a subscription at once — the compensation when a later step of the order fails.
 * Safe to repeat: cancelling a cancelled subscription answers it unchanged.
 */
import type { StripeClient } from '../client.ts';
import type { StripeSubscription } from '../types.ts';

/** Cancels `subscriptionId` immediately and returns it (status `canceled`). */
export async function cancelSubscription(client: StripeClient, subscriptionId: string): Promise<StripeSubscription> {
  return client.delete<StripeSubscription>(`subscriptions/${encodeURIComponent(subscriptionId)}`);
}
