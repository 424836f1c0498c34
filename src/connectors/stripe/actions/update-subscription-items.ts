/**
 * Amends a subscription's items: new quantities or prices for existing items, added prices,
 * removed items. Stripe answers `customer.subscription.updated` with the old items in
 * `previous_attributes`, which is what the renewals flow reads as an amendment.
 */
import type { StripeClient } from '../client.ts';
import type { StripeSubscription } from '../types.ts';

/** One item change: `id` of an existing item (with `quantity`, `price` or `deleted`), or a new `price`. */
export interface SubscriptionItemChange {
  id?: string;
  price?: string;
  quantity?: number;
  deleted?: boolean;
}

/** Applies the changes; a retry with the same idempotency key replays the first answer. */
export async function updateSubscriptionItems(
  client: StripeClient,
  input: { subscriptionId: string; items: readonly SubscriptionItemChange[]; idempotencyKey: string },
): Promise<StripeSubscription> {
  return client.post<StripeSubscription>(`subscriptions/${encodeURIComponent(input.subscriptionId)}`, { items: input.items.map((i) => ({ ...i })) }, input.idempotencyKey);
}
