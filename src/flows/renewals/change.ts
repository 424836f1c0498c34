/**
 * What a subscription event means for the deal: a renewal (its period moved on), an amendment
 * (its items, quantities or prices changed), an ending (deleted), or only a status change. Read
 * from the event alone — the subscription as it is now and `previous_attributes` — so a replayed
 * run decides the same. Stripe puts the period on the subscription before API 2025-03-31 and on
 * its items after; both are read.
 */
import type { StripeSubscriptionEvent } from '../../connectors/stripe/triggers/webhook.ts';
import type { StripeSubscription, StripeSubscriptionItem } from '../../connectors/stripe/types.ts';

/** A subscription item as the deal sees it. */
export interface ItemTerms {
  priceId: string;
  /** The catalog SKU lead-to-order put in the price's metadata, when there is one. */
  sku: string | null;
  quantity: number;
  /** Per unit, in minor units. */
  unitAmount: number;
}

/** The renewal: the new period, and the one it follows. */
export interface Renewal {
  previousPeriodStart: number;
  periodStart: number;
  periodEnd: number;
}

/** The amendment: the items before and after. */
export interface Amendment {
  before: ItemTerms[];
  after: ItemTerms[];
}

/** What the event changed. */
export interface SubscriptionChange {
  renewal: Renewal | null;
  amendment: Amendment | null;
  ended: boolean;
  status: string;
  previousStatus: string | null;
}

/** The change `event` describes. */
export function subscriptionChange(event: StripeSubscriptionEvent): SubscriptionChange {
  const sub = event.subscription;
  const previous = event.previousAttributes ?? {};
  const ended = event.type === 'customer.subscription.deleted' || sub.status === 'canceled';
  const previousStatus = typeof previous['status'] === 'string' ? previous['status'] : null;
  return { renewal: ended ? null : renewalOf(sub, previous), amendment: ended ? null : amendmentOf(sub, previous), ended, status: sub.status, previousStatus };
}

/** The items of a subscription as terms. */
export function itemTerms(items: readonly StripeSubscriptionItem[]): ItemTerms[] {
  return items.map((item) => ({
    priceId: item.price.id,
    sku: item.price.metadata?.['sku'] ?? null,
    quantity: item.quantity,
    unitAmount: item.price.unit_amount ?? 0,
  }));
}

/** What the items bill per period, in minor units. */
export function periodAmount(items: readonly ItemTerms[]): number {
  return items.reduce((sum, i) => sum + i.quantity * i.unitAmount, 0);
}

// Like is compared with like: the subscription's period with its old value, else the first item's.
function renewalOf(sub: StripeSubscription, previous: Record<string, unknown>): Renewal | null {
  const first = sub.items.data[0];
  const onSubscription = typeof previous['current_period_start'] === 'number';
  const before = onSubscription ? (previous['current_period_start'] as number) : previousItems(previous)?.[0]?.current_period_start;
  const periodStart = onSubscription ? sub.current_period_start : first?.current_period_start;
  const periodEnd = (onSubscription ? sub.current_period_end : first?.current_period_end) ?? first?.current_period_end;
  if (periodStart === undefined || periodEnd === undefined || typeof before !== 'number' || before >= periodStart) return null;
  return { previousPeriodStart: before, periodStart, periodEnd };
}

function amendmentOf(sub: StripeSubscription, previous: Record<string, unknown>): Amendment | null {
  const old = previousItems(previous);
  if (old === undefined) return null;
  const before = itemTerms(old);
  const after = itemTerms(sub.items.data);
  const signature = (terms: ItemTerms[]) => JSON.stringify(terms.map((t) => [t.priceId, t.quantity, t.unitAmount]).sort());
  return signature(before) === signature(after) ? null : { before, after };
}

function previousItems(previous: Record<string, unknown>): StripeSubscriptionItem[] | undefined {
  const items = previous['items'] as { data?: unknown } | undefined;
  return Array.isArray(items?.data) ? (items.data as StripeSubscriptionItem[]) : undefined;
}
