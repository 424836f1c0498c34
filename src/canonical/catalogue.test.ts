import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import semver from 'semver';
import { CANONICAL_CONTRACTS, createAjv, findContract, validatorFor } from './catalogue.ts';
import { DOMAINS, schemaId } from './contract.ts';
import { CloudEventEnvelope, cloudEvent, EVENT_CONTRACTS } from './events.ts';
import type { Order } from './order.ts';

// Compiles only if the TypeScript type derived from the schema has these fields and types.
const order: Order = {
  id: 'o-1',
  refs: [{ system: 'salesforce', objectType: 'Opportunity', externalId: '006A' }],
  version: 1,
  customerId: 'c-1',
  status: 'booked',
  currency: 'USD',
  total: { amount: '1250.50', currency: 'USD' },
  lines: [{ lineNumber: 1, quantity: '2', unitPrice: { amount: '625.25', currency: 'USD' } }],
  extra: { LeadSource: 'Web' },
};

describe('canonical contracts', () => {
  it('each has a semver version, an owner domain and a $id naming subject and version', () => {
    const subjects = new Set<string>();
    for (const c of CANONICAL_CONTRACTS) {
      assert.ok(semver.valid(c.version), c.subject);
      assert.ok(DOMAINS.includes(c.owner), c.subject);
      assert.equal(c.schema.$id, schemaId(c.subject, c.version));
      assert.ok(!subjects.has(c.subject), `duplicate ${c.subject}`);
      subjects.add(c.subject);
    }
    for (const name of ['customer', 'contact', 'product', 'price-book-entry', 'quote', 'order', 'invoice', 'subscription', 'payment', 'shipment']) {
      assert.equal(findContract(name)?.kind, 'object', name);
    }
  });

  it('every object carries refs, a version for staleness and a slot for unconsumed vendor fields', () => {
    for (const c of CANONICAL_CONTRACTS.filter((x) => x.kind === 'object')) {
      const props = (c.schema as unknown as { properties: Record<string, unknown>; required: string[] }).properties;
      const required = (c.schema as unknown as { required: string[] }).required;
      for (const key of ['id', 'refs', 'version', 'extra']) assert.ok(key in props, `${c.subject}.${key}`);
      assert.ok(required.includes('refs') && required.includes('version'), c.subject);
    }
  });

  it('hold money as a decimal string with an ISO 4217 code, never a float', () => {
    const v = validatorFor('order');
    assert.equal(v(order), true, JSON.stringify(v.errors));
    assert.equal(v({ ...order, total: { amount: 1250.5, currency: 'USD' } }), false);
    assert.equal(v({ ...order, total: { amount: '1,250.50', currency: 'USD' } }), false);
    assert.equal(v({ ...order, total: { amount: '1250.50', currency: 'usd' } }), false);
    assert.equal(v({ ...order, total: { amount: '-0.5', currency: 'EUR' } }), true);
  });

  it('refuse unknown properties: vendor fields belong in extra', () => {
    assert.equal(validatorFor('order')({ ...order, LeadSource: 'Web' }), false);
  });

  it('wrap event data in a CloudEvents 1.0 envelope whose data validates against its contract', () => {
    const e = cloudEvent('interlock.order.booked.v1', order.id, { order }, '/interlock/flows/lead-to-order', { id: 'run-1:book', time: new Date(Date.UTC(2026, 3, 1)) });
    assert.deepEqual(
      { ...e, data: undefined },
      {
        specversion: '1.0',
        id: 'run-1:book',
        source: '/interlock/flows/lead-to-order',
        type: 'interlock.order.booked.v1',
        subject: 'o-1',
        time: '2026-04-01T00:00:00.000Z',
        datacontenttype: 'application/json',
        dataschema: 'https://interlock.dev/schemas/interlock.order.booked.v1/1.0.0',
        data: undefined,
      },
    );
    assert.equal(createAjv().compile(CloudEventEnvelope)(e), true);
    assert.equal(validatorFor('interlock.order.booked.v1')(e.data), true);
    assert.equal(validatorFor('interlock.order.booked.v1')({ order: { ...order, status: 'won' } }), false);
    assert.throws(() => cloudEvent('interlock.order.exploded.v1', 'o', {}, '/x'), /unknown canonical event type/);
    assert.ok(EVENT_CONTRACTS.every((c) => /^interlock\.[a-z-]+\.[a-z_]+\.v\d+$/.test(c.subject)));
  });
});
