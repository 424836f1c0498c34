import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsonata from 'jsonata';
import { compileTransform } from './transform.ts';

// Each case is evaluated by the compiled transform and by JSONata itself: the answers must match.
const cases: Array<[expression: string, input: unknown]> = [
  ['{"id": id, "orderId": order, "amount": amount, "t": t}', { id: 'evt-1', order: 'SO-1', amount: '120.00', t: 12.5 }],
  ['{"id": id, "missing": nope}', { id: 'a' }],
  ['{"a": x}', { x: null }],
  ['{"a": x}', { x: true }],
  ['{"a": x}', { x: 0 }],
  ['{"a": x}', { x: -0 }],
  ['{"a": x}', {}],
  ['{"a": x.y.z}', { x: { y: { z: 'deep' } } }],
  ['{"a": x.y.z}', { x: { y: {} } }],
  ['{"a": x.y}', { x: 'not an object' }],
  ['{"a": x.y}', { x: null }],
  ['{"a": x.y}', { x: [{ y: 1 }, { y: 2 }] }],
  ['{"a": x}', { x: [1] }],
  ['{"a": x}', { x: [] }],
  ['{"a": x}', { x: { nested: 1 } }],
  ['{"a": x}', [{ x: 1 }, { x: 2 }]],
  ['{"a": x}', 'a string'],
  ['{"a": x}', null],
  ['{"a": `x y`}', { 'x y': 3 }],
  ['{"a": x, "a": y}', { x: 1, y: 2 }],
  ['{"__proto__": x}', { x: 1 }],
  ['{"a": __proto__}', JSON.parse('{"__proto__": 1}')],
  ['{"a": constructor}', {}],
  ['{"a": x[0]}', { x: [5, 6] }],
  ['{"a": $uppercase(x)}', { x: 'b' }],
  ['{"a": "literal"}', { x: 1 }],
  ['{}', { x: 1 }],
  ['x', { x: 1 }],
  ['$', { x: 1 }],
];

async function jsonataSays(expression: string, input: unknown): Promise<string> {
  try {
    return JSON.stringify(await jsonata(expression).evaluate(input)) ?? 'undefined';
  } catch (err) {
    return `error ${(err as { code?: string }).code}`;
  }
}

async function transformSays(expression: string, input: unknown): Promise<string> {
  try {
    return JSON.stringify(await compileTransform(expression).evaluate(input)) ?? 'undefined';
  } catch (err) {
    return `error ${(err as { code?: string }).code}`;
  }
}

describe('compileTransform', () => {
  for (const [expression, input] of cases) {
    it(`answers as JSONata does: ${expression} on ${JSON.stringify(input)}`, async () => {
      assert.equal(await transformSays(expression, input), await jsonataSays(expression, input));
    });
  }

  it('picks fields of an object without JSONata, synchronously', () => {
    const t = compileTransform('{"id": id, "total": order.total}');
    assert.equal(t.fast, true);
    assert.deepEqual(t.evaluate({ id: 'a', order: { total: 12 } }), { id: 'a', total: 12 });
  });

  it('leaves every other expression to JSONata', () => {
    for (const e of ['{"a": x[0]}', '{"a": $uppercase(x)}', '{"a": "literal"}', 'x', '{"a": x, "a": y}', '{"__proto__": x}', '{"a": a.__proto__}']) {
      assert.equal(compileTransform(e).fast, false, e);
    }
  });

  it('refuses an expression that does not parse, with JSONata\'s error', () => {
    assert.throws(() => compileTransform('{"a": '), (err: Error & { code?: string }) => typeof err.code === 'string');
  });
});
