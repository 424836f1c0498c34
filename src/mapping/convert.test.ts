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
});
