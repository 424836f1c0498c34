/**
 * Stripe's form encoding as the official client writes it, decoded into the nested parameters
 * the routes read; hostile names are dropped rather than reaching object prototypes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeForm } from './form-decode.ts';

describe('decodeForm', () => {
  it('decodes flat, nested, indexed and appended parameters', () => {
    const body =
      'customer=cus_1&items[0][price]=price_a&items[0][quantity]=2&items[1][price]=price_b' +
      '&metadata[order id]=A%2B1&expand[]=latest_invoice&expand[]=customer&description=two+words';
    assert.deepEqual(decodeForm(body), {
      customer: 'cus_1',
      items: [{ price: 'price_a', quantity: '2' }, { price: 'price_b' }],
      metadata: { 'order id': 'A+1' },
      expand: ['latest_invoice', 'customer'],
      description: 'two words',
    });
  });

  it('orders indexes numerically and keeps empty values', () => {
    assert.deepEqual(decodeForm('a[10]=x&a[2]=y&b=&c'), { a: ['y', 'x'], b: '', c: '' });
  });

  it('keeps a container that mixes appends and names an object, with nothing hidden on it', () => {
    assert.deepEqual(decodeForm('a[]=1&a[x]=2&b[0]=3&b[y]=4'), { a: { '\u0000000001': '1', x: '2' }, b: { 0: '3', y: '4' } });
  });

  it('decodes the same way from a query string (URL-encoded brackets)', () => {
    assert.deepEqual(decodeForm('expand%5B%5D=data.customer&limit=3'), { expand: ['data.customer'], limit: '3' });
  });

  it('drops prototype-polluting and malformed names, and survives bad escapes', () => {
    const decoded = decodeForm('__proto__[admin]=1&a[constructor][x]=1&b[=1&c]=2&d=%E0%A4%A&ok=1');
    assert.deepEqual(decoded, { 'c]': '2', d: '%E0%A4%A', ok: '1' });
    assert.equal(({} as Record<string, unknown>).admin, undefined);
  });
});
