/**
 * Stripe events as stored: the event JSON is written around the object's JSON, and must read
 * exactly as serialising the whole event object would, key order included.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventDelivery, FaultController, openStateStore } from '../kit/index.ts';
import { DEFAULT_API_VERSION, StripeEvents } from './events.ts';
import { StripeState } from './stripe-state.ts';

describe('StripeEvents', () => {
  const setup = (): { state: StripeState; events: StripeEvents } => {
    const state = new StripeState(openStateStore());
    return { state, events: new StripeEvents(state, new EventDelivery({ faults: new FaultController() })) };
  };

  it('stores the same JSON as serialising the whole event, and returns the object part', () => {
    const { state, events } = setup();
    const customer = { id: 'cus_1', object: 'customer', created: 1, livemode: false, email: 'a@b.example', metadata: { crm_id: '001' }, address: null };
    const returned = events.emit('customer.updated', customer, {
      created: 1_700_000_000,
      previous: { email: null },
      request: { id: 'req_1', idempotency_key: 'key-"1"' },
    });
    const stored = state.events.list()[0];
    assert.ok(stored);
    const expected = {
      id: stored.id,
      object: 'event',
      api_version: DEFAULT_API_VERSION,
      created: 1_700_000_000,
      data: { object: customer, previous_attributes: { email: null } },
      livemode: false,
      pending_webhooks: 0,
      request: { id: 'req_1', idempotency_key: 'key-"1"' },
      type: 'customer.updated',
    };
    assert.equal(stored.json, JSON.stringify(expected));
    assert.equal(returned, JSON.stringify(customer));
  });

  it('keeps the snapshot: a later change to the object does not rewrite the event', () => {
    const { state, events } = setup();
    const customer = { id: 'cus_2', object: 'customer', created: 1, livemode: false, name: 'Before' };
    events.emit('customer.created', customer);
    customer.name = 'After';
    const stored = state.events.list()[0];
    assert.equal((JSON.parse(stored?.json ?? '{}') as { data: { object: { name: string } } }).data.object.name, 'Before');
    assert.deepEqual((JSON.parse(stored?.json ?? '{}') as { request: unknown }).request, { id: null, idempotency_key: null });
  });
});
