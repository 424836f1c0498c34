/**
 * Finds the live subscription tied to a key in its metadata (e.g. the opportunity id) with one
 * search call, whatever the number of the customer's subscriptions (listing them all grew with
 * every deal of the account). Stripe's search is eventually consistent: a subscription made a
 * moment ago may not show yet, so "not found" is no proof that creating is safe — the create's
 * idempotency key is what keeps a retried step from making a second one.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { StripeClient } from '../client.ts';
import type { StripeSubscription } from '../types.ts';

/** Statuses of a subscription that no longer bills: one of those does not count as found. */
const ENDED: ReadonlySet<string> = new Set(['canceled', 'incomplete_expired']);

/** The newest subscription, not ended, whose `metadata[key]` equals `value`, else undefined. */
export async function findLiveSubscriptionByMetadata(client: StripeClient, key: string, value: string): Promise<StripeSubscription | undefined> {
  // Search query strings quote with single quotes; Stripe's grammar has no escape for them.
  if (!/^[A-Za-z0-9_-]+$/.test(key) || value.includes("'")) {
    throw new InterlockError('validation', 'Stripe metadata search key must be [A-Za-z0-9_-] and the value free of quotes', { details: { key } });
  }
  const query = `metadata['${key}']:'${value}' AND -status:'canceled' AND -status:'incomplete_expired'`;
  for await (const sub of client.search<StripeSubscription>('subscriptions/search', query, 10)) {
    if (!ENDED.has(sub.status) && sub.metadata[key] === value) return sub;
  }
  return undefined;
}
