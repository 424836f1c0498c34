import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONVERTERS, ConversionError } from './convert.ts';

describe('conversions', () => {
  it('keep money out of floats: minor units shift as text', () => {
    assert.equal(CONVERTERS['major-units'](129900), '1299.00');
    assert.equal(CONVERTERS['major-units'](5), '0.05');
    assert.equal(CONVERTERS['major-units'](-1250), '-12.50');
    assert.equal(CONVERTERS['minor-units']('1299.00'), 129900);
    assert.equal(CONVERTERS['minor-units']('0.1'), 10);
    assert.equal(CONVERTERS['minor-units']('-12.5'), -1250);
    // 0.1 + 0.2 style drift cannot happen: the digits are moved, not multiplied.
    assert.equal(CONVERTERS['minor-units']('1.15'), 115);
  });

  it('refuse an amount that would lose precision', () => {
    assert.throws(() => CONVERTERS['minor-units']('1.005'), ConversionError);
    assert.throws(() => CONVERTERS.decimal(Number.NaN), ConversionError);
    assert.throws(() => CONVERTERS.decimal(1e-7), ConversionError);
    assert.throws(() => CONVERTERS.decimal('1,5'), ConversionError);
  });

  it('convert dates from RFC 3339 text and from Unix seconds', () => {
    assert.equal(CONVERTERS.date('2026-03-31T23:00:00.000+0000'), '2026-03-31');
    assert.equal(CONVERTERS.date(1775001600), '2026-04-01');
    assert.equal(CONVERTERS.datetime(1775001600), '2026-04-01T00:00:00.000Z');
    assert.equal(CONVERTERS['epoch-ms']('2026-03-30T12:00:00.000+0000'), 1774872000000);
    assert.equal(CONVERTERS['epoch-s']('2026-04-01'), 1775001600);
    assert.throws(() => CONVERTERS.datetime('next tuesday'), ConversionError);
  });

  it('convert scalars strictly', () => {
    assert.equal(CONVERTERS.integer('42'), 42);
    assert.throws(() => CONVERTERS.integer(4.2), ConversionError);
    assert.equal(CONVERTERS.boolean('false'), false);
    assert.throws(() => CONVERTERS.boolean('yes'), ConversionError);
    assert.equal(CONVERTERS.upper('usd'), 'USD');
    assert.throws(() => CONVERTERS.string({}), ConversionError);
  });

  it('write numbers as decimals exactly as String() does, including the fast path for money', () => {
    // A fixed pseudo-random sequence, so a failure reproduces.
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 1_000_000; i++) {
      const scale = [1, 100, 10_000, 1e8, 1e12][i % 5] ?? 1;
      const cents = Math.round((next() - 0.3) * scale * 100);
      const v = i % 7 === 0 ? next() * scale : cents / 100;
      assert.equal(CONVERTERS.decimal(v), String(v), `for ${v}`);
    }
    assert.equal(CONVERTERS.decimal(-0), '0');
    assert.equal(CONVERTERS.decimal(0.05), '0.05');
    assert.equal(CONVERTERS.decimal(-1234.5), '-1234.5');
  });
});
