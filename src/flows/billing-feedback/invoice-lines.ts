/**
 * The NetSuite lines of a Stripe invoice: one per invoice line, the item found by the SKU that
 * lead-to-order put in the price's metadata, the rate the line's amount per unit. When a line
 * cannot be matched (a price without SKU, an invoice with more lines than its first page) the
 * answer is undefined and NetSuite bills the order's lines as it copies them.
 */
import { retrievePrice } from '../../connectors/stripe/actions/retrieve-price.ts';
import type { StripeClient } from '../../connectors/stripe/client.ts';
import type { StripeInvoice, StripePrice } from '../../connectors/stripe/types.ts';

/** An invoice line for NetSuite. */
export interface BilledLine {
  item: { externalId: string };
  quantity: number;
  rate: number;
  description?: string;
}

// Invoice lines as Stripe sends them: `price` until API 2025-03-31, `pricing.price_details` since.
interface StripeInvoiceLine {
  amount: number;
  quantity: number | null;
  description?: string | null;
  price?: StripePrice | null;
  pricing?: { price_details?: { price?: string | StripePrice } | null } | null;
}

/** The invoice's lines as NetSuite lines, or undefined when they cannot all be matched. */
export async function billedLines(client: StripeClient, invoice: StripeInvoice): Promise<BilledLine[] | undefined> {
  const lines = (invoice as { lines?: { data?: StripeInvoiceLine[]; has_more?: boolean } }).lines;
  if (lines?.data === undefined || lines.data.length === 0 || lines.has_more === true) return undefined;
  const out: BilledLine[] = [];
  for (const line of lines.data) {
    const sku = await skuOf(client, line);
    if (sku === undefined) return undefined;
    const quantity = line.quantity ?? 1;
    out.push({
      item: { externalId: sku },
      quantity,
      // Minor units of two-decimal currencies (all the story's currencies are).
      rate: Math.round(line.amount / Math.max(1, quantity)) / 100,
      ...(typeof line.description === 'string' ? { description: line.description } : {}),
    });
  }
  return out;
}

async function skuOf(client: StripeClient, line: StripeInvoiceLine): Promise<string | undefined> {
  const fromPrice = line.price?.metadata?.['sku'];
  if (fromPrice !== undefined && fromPrice !== '') return fromPrice;
  const ref = line.price?.id ?? line.pricing?.price_details?.price;
  if (ref === undefined) return undefined;
  const price = typeof ref === 'string' ? await retrievePrice(client, ref) : ref;
  const sku = price.metadata?.['sku'];
  return sku === undefined || sku === '' ? undefined : sku;
}
