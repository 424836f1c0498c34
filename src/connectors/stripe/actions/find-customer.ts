/**
 * Finds a Stripe customer by a metadata value (e.g. the canonical id). Uses Stripe's search,
 * which Stripe documents as eventually consistent (a new customer may take a while to appear):
 * a flow must not use "not found" as proof that creating is safe — the create's idempotency key
 * is what prevents a duplicate.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { StripeClient } from '../client.ts';
import type { StripeCustomer } from '../types.ts';

/** The customer whose `metadata[key]` equals `value`, the newest when several do, else undefined. */
export async function findCustomerByMetadata(client: StripeClient, key: string, value: string): Promise<StripeCustomer | undefined> {
  // Search query strings quote with single quotes; Stripe's grammar has no escape for them.
  if (!/^[A-Za-z0-9_-]+$/.test(key) || value.includes("'")) {
    throw new InterlockError('validation', 'Stripe metadata search key must be [A-Za-z0-9_-] and the value free of quotes', { details: { key } });
  }
  for await (const customer of client.search<StripeCustomer>('customers/search', `metadata['${key}']:'${value}'`, 10)) return customer;
  return undefined;
}
