import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StripeSubscriptionEvent } from '../../connectors/stripe/triggers/webhook.ts';
import type { StripeSubscription } from '../../connectors/stripe/types.ts';
import { periodAmount, subscriptionChange } from './change.ts';

const item = (price: string, quantity: number, unit: number, start = 100, end = 200) => ({
  id: `si_${price}`,
  quantity,
  current_period_start: start,
  current_period_end: end,
  price: { id: price, object: 'price' as const, product: 'prod', currency: 'usd', unit_amount: unit, type: 'recurring' as const, recurring: null, lookup_key: null, active: true, metadata: { sku: price.toUpperCase() } },
});

const event = (sub: Partial<StripeSubscription>, previous?: Record<string, unknown>, type: StripeSubscriptionEvent['type'] = 'customer.subscription.updated'): StripeSubscriptionEvent => ({
  id: 'evt_1',
  created: 150,
  apiVersion: null,
  livemode: false,
  kind: 'subscription',
  type,
  previousAttributes: previous,
  subscription: {
    id: 'sub_1',
    object: 'subscription',
    customer: 'cus_1',
    status: 'active',
    items: { object: 'list', data: [item('plat', 2, 5000)], has_more: false, url: '' },
    latest_invoice: null,
    cancel_at_period_end: false,
    canceled_at: null,
    created: 1,
    current_period_start: 200,
    current_period_end: 300,
    metadata: {},
    ...sub,
  },
});

describe('subscription changes', () => {
  it('reads a moved period as a renewal, from the subscription or (API 2025-03-31) from its items', () => {
    assert.deepEqual(subscriptionChange(event({}, { current_period_start: 100, current_period_end: 200 })).renewal, { previousPeriodStart: 100, periodStart: 200, periodEnd: 300 });
    const basil = event({ current_period_start: undefined, current_period_end: undefined, items: { object: 'list', data: [item('plat', 2, 5000, 200, 300)], has_more: false, url: '' } }, { items: { data: [item('plat', 2, 5000, 100, 200)] } });
    const change = subscriptionChange(basil);
    assert.deepEqual(change.renewal, { previousPeriodStart: 100, periodStart: 200, periodEnd: 300 });
    // Only the period moved on the items: no amendment.
    assert.equal(change.amendment, null);
  });

  it('reads changed quantities, prices or items as an amendment, with the terms before and after', () => {
    const change = subscriptionChange(event({}, { items: { data: [item('plat', 1, 5000)] } }));
    assert.equal(change.renewal, null);
    assert.deepEqual(change.amendment?.before.map((t) => [t.sku, t.quantity]), [['PLAT', 1]]);
    assert.deepEqual(change.amendment?.after.map((t) => [t.sku, t.quantity]), [['PLAT', 2]]);
    assert.equal(periodAmount(change.amendment?.after ?? []) - periodAmount(change.amendment?.before ?? []), 5000);
  });

  it('reads a status flip as neither, and a deletion as the end', () => {
    const flip = subscriptionChange(event({ status: 'past_due' }, { status: 'active' }));
    assert.deepEqual([flip.renewal, flip.amendment, flip.ended, flip.previousStatus], [null, null, false, 'active']);
    const gone = subscriptionChange(event({ status: 'canceled' }, undefined, 'customer.subscription.deleted'));
    assert.deepEqual([gone.ended, gone.status], [true, 'canceled']);
  });
});
