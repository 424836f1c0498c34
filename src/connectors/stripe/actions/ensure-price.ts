/**
 * Finds the price for a catalog item by its `lookup_key`, creating product and price together
 * (`product_data`) when there is none, so a flow can sell an item Stripe has not seen yet.
 */
import type { StripeClient } from '../client.ts';
import type { StripePrice } from '../types.ts';

/** Input of {@link ensurePrice}. */
export interface EnsurePriceInput {
  /** Stable key of the item and billing period, e.g. `platform_monthly` or the SKU plus period. */
  lookupKey: string;
  /** Product name for a new product. */
  productName: string;
  /** The catalog SKU, kept in product and price metadata. */
  sku: string;
  /** ISO currency, e.g. `usd`. */
  currency: string;
  /** Amount in minor units (cents). */
  unitAmount: number;
  /** Billing period of a recurring price; absent for a one-time price. */
  recurring?: { interval: 'day' | 'week' | 'month' | 'year'; intervalCount?: number };
  /** The caller's key for creating it; a retry replays the first creation. */
  idempotencyKey: string;
}

/** The price and whether this call created it. */
export interface EnsurePriceResult {
  price: StripePrice;
  created: boolean;
}

/** Returns the active price with `lookupKey`, or creates product and price. */
export async function ensurePrice(client: StripeClient, input: EnsurePriceInput): Promise<EnsurePriceResult> {
  // Deals booking the same price at once share one lookup; a miss is created under the price's
  // idempotency key, so callers that all missed make one price.
  const found = await client.getShared<{ data: StripePrice[] }>('prices', { lookup_keys: [input.lookupKey], active: true, limit: 1 });
  const existing = found.data[0];
  if (existing !== undefined) return { price: existing, created: false };
  const price = await client.post<StripePrice>(
    'prices',
    {
      currency: input.currency.toLowerCase(),
      unit_amount: input.unitAmount,
      lookup_key: input.lookupKey,
      product_data: { name: input.productName, metadata: { sku: input.sku } },
      recurring: input.recurring === undefined ? undefined : { interval: input.recurring.interval, interval_count: input.recurring.intervalCount ?? 1 },
      metadata: { sku: input.sku },
    },
    input.idempotencyKey,
  );
  return { price, created: true };
}
