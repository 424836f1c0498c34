/**
 * Subscribes a customer to prices. Stripe bills the first period at once, so the answer already
 * carries `latest_invoice` (expanded here, so a flow sees whether the first payment went through).
 */
import type { StripeClient } from '../client.ts';
import type { StripeMetadata, StripeSubscription } from '../types.ts';

/** Input of {@link createSubscription}. */
export interface CreateSubscriptionInput {
  customerId: string;
  items: ReadonlyArray<{ priceId: string; quantity: number }>;
  /** E.g. the order and opportunity ids, for tracing back. */
  metadata?: StripeMetadata;
  /** The caller's key for this effect; a retry returns the first subscription. */
  idempotencyKey: string;
}

/** Creates the subscription, with its first invoice expanded. */
export async function createSubscription(client: StripeClient, input: CreateSubscriptionInput): Promise<StripeSubscription> {
  return client.post<StripeSubscription>(
    'subscriptions',
    {
      customer: input.customerId,
      items: input.items.map((item) => ({ price: item.priceId, quantity: item.quantity })),
      metadata: input.metadata,
      expand: ['latest_invoice'],
    },
    input.idempotencyKey,
  );
}
