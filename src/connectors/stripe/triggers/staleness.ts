/**
 * Recognising out-of-order Stripe events. Stripe does not guarantee delivery order and its
 * objects carry no version number, so the version of an event is built from what only moves
 * forward: for a subscription, ended before not, then the start of its current period (a renewal
 * moves it), then its stage within the period (incomplete → trialing → live), then the event's
 * `created`; for an invoice, how far its status has come (draft → open → uncollectible →
 * paid/void), then `created`. An event older than the last one applied to the same object is
 * stale and is skipped (with a record) by the flow. Two events of one second and one stage (an
 * active → past_due flip, say) compare equal: the helper cannot order them, and a flow that must
 * know re-reads the object from Stripe.
 */
import type { StripeInvoiceEvent, StripeSubscriptionEvent } from './webhook.ts';

/** A comparable version of the object an event describes. */
export interface StripeEventVersion {
  /** The `sub_` or `in_` id. */
  objectId: string;
  /** Compared element by element; greater is newer. */
  rank: readonly number[];
}

const INVOICE_PROGRESS: Readonly<Record<string, number>> = { draft: 0, open: 1, uncollectible: 2, paid: 3, void: 3 };
// Within one period a subscription never goes back to incomplete or trialing.
const SUBSCRIPTION_STAGE: Readonly<Record<string, number>> = { incomplete: 0, trialing: 1 };
const LIVE_STAGE = 2;

/** The version of the object in `event`. */
export function eventVersion(event: StripeInvoiceEvent | StripeSubscriptionEvent): StripeEventVersion {
  if (event.kind === 'invoice') {
    return { objectId: event.invoice.id, rank: [INVOICE_PROGRESS[event.invoice.status] ?? 0, event.created] };
  }
  const s = event.subscription;
  const ended = s.status === 'canceled' || s.status === 'incomplete_expired' ? 1 : 0;
  const periodStart = s.current_period_start ?? s.items.data[0]?.current_period_start ?? 0;
  return { objectId: s.id, rank: [ended, periodStart, SUBSCRIPTION_STAGE[s.status] ?? LIVE_STAGE, event.created] };
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareVersions(a: StripeEventVersion, b: StripeEventVersion): number {
  const n = Math.max(a.rank.length, b.rank.length);
  for (let i = 0; i < n; i++) {
    const d = (a.rank[i] ?? 0) - (b.rank[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Whether `incoming` is older than `lastApplied` (the version of the last event applied for the
 * same object; undefined when none was). Equal versions are not stale: duplicates are the
 * inbox's to absorb, by event id.
 */
export function isStale(incoming: StripeEventVersion, lastApplied: StripeEventVersion | undefined): boolean {
  if (lastApplied === undefined || lastApplied.objectId !== incoming.objectId) return false;
  return compareVersions(incoming, lastApplied) < 0;
}
