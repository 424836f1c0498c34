/**
 * Stripe events as stored: in parts around the object's JSON, assembled on read into exactly what
 * serialising the whole event object would make, key order included.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventDelivery, FaultController, openStateStore } from '../kit/index.ts';
import { DEFAULT_API_VERSION, StripeEvents } from './events.ts';
import { StripeState, eventJson, type StoredEvent } from './stripe-state.ts';

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
    assert.equal(eventJson(stored), JSON.stringify(expected));
    assert.equal(returned, JSON.stringify(customer));
    assert.deepEqual(state.event(stored.id), expected);
  });

  it('assembles an event without previous attributes or request as JSON.stringify would', () => {
    const { state, events } = setup();
    const customer = { id: 'cus_3', object: 'customer', created: 1, livemode: false, name: 'Zoë "Z" \u2028' };
    events.emit('customer.created', customer, { created: 1_700_000_001, request: { id: 'req_2', idempotency_key: null } });
    const stored = state.events.list()[0];
    assert.ok(stored);
    const expected = {
      id: stored.id,
      object: 'event',
      api_version: DEFAULT_API_VERSION,
      created: 1_700_000_001,
      data: { object: customer },
      livemode: false,
      pending_webhooks: 0,
      request: { id: 'req_2', idempotency_key: null },
      type: 'customer.created',
    };
    assert.equal(eventJson(stored), JSON.stringify(expected));
  });

  it('reads an event kept whole by a state file written before events were stored in parts', () => {
    const json = '{"id":"evt_old","object":"event","type":"customer.created"}';
    assert.equal(eventJson({ id: 'evt_old', type: 'customer.created', created: 1, json } as unknown as StoredEvent), json);
  });

  it('keeps the snapshot: a later change to the object does not rewrite the event', () => {
    const { state, events } = setup();
    const customer = { id: 'cus_2', object: 'customer', created: 1, livemode: false, name: 'Before' };
    events.emit('customer.created', customer);
    customer.name = 'After';
    const stored = state.events.list()[0];
    assert.ok(stored);
    assert.equal((JSON.parse(eventJson(stored)) as { data: { object: { name: string } } }).data.object.name, 'Before');
    assert.deepEqual((JSON.parse(eventJson(stored)) as { request: unknown }).request, { id: null, idempotency_key: null });
  });
});
