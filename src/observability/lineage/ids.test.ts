import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recogniseId, refsInResult } from './ids.ts';

describe('record ids in step results', () => {
  it('recognises Stripe ids by prefix and Salesforce ids by their case-safe suffix', () => {
    assert.deepEqual(recogniseId('sub_1PqRsTuVwXyZ'), { system: 'stripe', type: 'subscription', id: 'sub_1PqRsTuVwXyZ' });
    assert.deepEqual(recogniseId('in_1AbCdEfGhIjK'), { system: 'stripe', type: 'invoice', id: 'in_1AbCdEfGhIjK' });
    assert.deepEqual(recogniseId('006Hs00000000001AAA'.slice(0, 18)), undefined, 'a wrong suffix is no id');
    assert.deepEqual(recogniseId('006Hs0000000001IAA'), { system: 'salesforce', type: 'Opportunity', id: '006Hs0000000001IAA' });
    assert.equal(recogniseId('hello_world1234567'), undefined);
    assert.equal(recogniseId('SALESFORCEACCOUNTS'), undefined, 'eighteen letters without a digit is a word');
  });

  it('reads NetSuite ids and transaction numbers from where a netsuite step puts them', () => {
    const refs = refsInResult('netsuite-sales-order', { id: '4711', tranId: 'SO1042', created: true });
    assert.deepEqual(refs, [
      { system: 'netsuite', type: 'salesOrder', id: '4711' },
      { system: 'netsuite', type: 'salesOrderNumber', id: 'SO1042' },
    ]);
    assert.deepEqual(refsInResult('netsuite-customer', '812'), [{ system: 'netsuite', type: 'customer', id: '812' }]);
    assert.deepEqual(refsInResult('netsuite-payment', { paymentId: '9', status: 'Paid In Full' }), [{ system: 'netsuite', type: 'customerPayment', id: '9' }]);
  });

  it('finds ids anywhere in a result, each once, and none in plain values of other steps', () => {
    const refs = refsInResult('write-back', { items: [{ sub: 'sub_1PqRsTuVwXyZ' }, { again: 'sub_1PqRsTuVwXyZ' }], opp: '006Hs0000000001IAA', note: '4711' });
    assert.deepEqual(refs.map((r) => r.id), ['sub_1PqRsTuVwXyZ', '006Hs0000000001IAA']);
  });
});
