import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { asyncApiDocument, jsonSchemaBundle } from './export.ts';
import { CANONICAL_CONTRACTS, createAjv } from '../canonical/catalogue.ts';
import { EVENT_CONTRACTS } from '../canonical/events.ts';

const shipped = CANONICAL_CONTRACTS.map((c) => ({ ...c, schema: c.schema as unknown as Record<string, unknown> }));

const order = {
  id: 'o-1',
  refs: [{ system: 'salesforce', objectType: 'Opportunity', externalId: '006A' }],
  version: 3,
  customerId: 'c-1',
  status: 'booked',
  currency: 'EUR',
  lines: [{ lineNumber: 1, quantity: '2', unitPrice: { amount: '10.00', currency: 'EUR' } }],
};

describe('export', () => {
  it('bundles every contract into one JSON Schema 2020-12 document that validates objects', () => {
    const bundle = jsonSchemaBundle(shipped);
    const ajv = createAjv();
    ajv.addSchema(bundle);
    const validateOrder = ajv.getSchema('https://interlock.dev/schemas/order/1.0.0');
    assert.ok(validateOrder, 'order reachable by its $id');
    assert.equal(validateOrder(order), true);
    assert.equal(validateOrder({ ...order, total: { amount: 12.5, currency: 'EUR' } }), false, 'money as a float is refused');
    assert.deepEqual(Object.keys(bundle['$defs'] as object).length, CANONICAL_CONTRACTS.length);
  });

  it('describes each canonical event as an AsyncAPI 3.0 channel whose payload validates a CloudEvent', () => {
    const doc = asyncApiDocument(shipped) as {
      asyncapi: string;
      channels: Record<string, { address: string }>;
      operations: Record<string, { action: string }>;
      components: { messages: Record<string, { payload: { schema: object } }> };
    };
    assert.equal(doc.asyncapi, '3.0.0');
    assert.deepEqual(Object.values(doc.channels).map((c) => c.address).sort(), EVENT_CONTRACTS.map((c) => c.subject).sort());
    const payload = doc.components.messages['interlock_order_booked_v1']?.payload.schema;
    assert.ok(payload);
    const validate = createAjv().compile(payload);
    const event = {
      specversion: '1.0',
      id: 'evt-1',
      source: '/interlock/flows/lead-to-order',
      type: 'interlock.order.booked.v1',
      subject: 'o-1',
      time: '2026-04-01T00:00:00Z',
      datacontenttype: 'application/json',
      data: { order },
    };
    assert.equal(validate(event), true, JSON.stringify(validate.errors));
    assert.equal(validate({ ...event, type: 'interlock.invoice.paid.v1' }), false);
    assert.equal(validate({ ...event, data: { order: { ...order, status: 'won' } } }), false);
  });
});
