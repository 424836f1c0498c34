/** Reads one price (billing feedback finds the SKU of an invoice line in its metadata). */
import type { StripeClient } from '../client.ts';
import type { StripePrice } from '../types.ts';

/** The price `priceId`; `not-found` when Stripe has none. */
export async function retrievePrice(client: StripeClient, priceId: string): Promise<StripePrice> {
  return client.get<StripePrice>(`prices/${encodeURIComponent(priceId)}`);
}
