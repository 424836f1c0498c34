import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InterlockError } from '../../core/errors.ts';
import { encodeForm } from './form-encode.ts';

describe('encodeForm', () => {
  it('flattens nested objects and arrays into the bracketed keys Stripe reads', () => {
    assert.deepEqual(
      encodeForm({
        customer: 'cus_1',
        items: [
          { price: 'price_a', quantity: 2 },
          { price: 'price_b', quantity: 1 },
        ],
        metadata: { interlock_id: 'c-1', salesforce_account_id: '001A' },
        expand: ['latest_invoice'],
        cancel_at_period_end: false,
      }),
      {
        customer: 'cus_1',
        'items[0][price]': 'price_a',
        'items[0][quantity]': '2',
        'items[1][price]': 'price_b',
        'items[1][quantity]': '1',
        'metadata[interlock_id]': 'c-1',
        'metadata[salesforce_account_id]': '001A',
        'expand[0]': 'latest_invoice',
        cancel_at_period_end: 'false',
      },
    );
  });

  it('encodes deeper nesting and leaves undefined out, null as the empty (unset) value', () => {
    assert.deepEqual(encodeForm({ product_data: { name: 'Seat', metadata: { sku: 'S-1' } }, description: null, email: undefined }), {
      'product_data[name]': 'Seat',
      'product_data[metadata][sku]': 'S-1',
      description: '',
    });
  });

  it('survives a round trip through URLSearchParams with brackets and reserved characters intact', () => {
    const encoded = new URLSearchParams(encodeForm({ metadata: { 'a b': 'x&y=z' } })).toString();
    assert.equal(encoded, 'metadata%5Ba+b%5D=x%26y%3Dz');
    assert.equal(new URLSearchParams(encoded).get('metadata[a b]'), 'x&y=z');
  });

  it('refuses a number that is not finite', () => {
    assert.throws(
      () => encodeForm({ unit_amount: Number.NaN }),
      (err: unknown) => err instanceof InterlockError && err.code === 'validation' && err.details?.param === 'unit_amount',
    );
  });
});
