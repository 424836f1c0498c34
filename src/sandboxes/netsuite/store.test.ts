import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStateStore } from '../kit/index.ts';
import { findRecordType, type NsRecordType } from './schema.ts';
import { NsStore, type NsRecord } from './store.ts';

const TRANSACTIONS = new Set(['salesOrder', 'invoice', 'customerPayment']);
const salesOrder = findRecordType('salesOrder') as NsRecordType;
const payment = findRecordType('customerPayment') as NsRecordType;

const order = (id: string, entity: string): NsRecord => ({ type: 'salesOrder', id, fields: { entity }, sublists: {} });
const ids = (records: NsRecord[]): string[] => records.map((r) => r.id).sort();

describe('NetSuite store: transactions by customer', () => {
  it('follows writes, moves to another customer, deletes and reloads', () => {
    const state = openStateStore();
    const store = new NsStore(state.collection('records'), state.collection('counters'));
    store.put(salesOrder, order('201', '7'));
    store.put(salesOrder, order('202', '7'));
    store.put(payment, { type: 'customerPayment', id: '203', fields: { customer: '7' }, sublists: {} });
    store.put(salesOrder, order('204', '8'));
    assert.deepEqual(ids(store.ofCustomer('7', TRANSACTIONS)), ['201', '202', '203']);
    assert.deepEqual(ids(store.ofCustomer('7', new Set(['salesOrder']))), ['201', '202']);

    store.put(salesOrder, order('202', '8')); // the order changes customer
    assert.deepEqual(ids(store.ofCustomer('7', TRANSACTIONS)), ['201', '203']);
    assert.deepEqual(ids(store.ofCustomer('8', TRANSACTIONS)), ['202', '204']);

    store.delete(salesOrder, '201');
    assert.deepEqual(ids(store.ofCustomer('7', TRANSACTIONS)), ['203']);

    store.reload(); // as after a restart from a state file
    assert.deepEqual(ids(store.ofCustomer('7', TRANSACTIONS)), ['203']);
    assert.deepEqual(ids(store.ofCustomer('8', TRANSACTIONS)), ['202', '204']);
    assert.deepEqual(store.ofCustomer('9', TRANSACTIONS), []);
  });
});
