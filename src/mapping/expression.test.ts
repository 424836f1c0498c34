import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InterlockError } from '../core/errors.ts';
import { compileExpression, DEFAULT_LIMITS } from './expression.ts';

const refused = (source: string, message: RegExp) =>
  assert.throws(() => compileExpression(source), (err: unknown) => err instanceof InterlockError && err.code === 'validation' && message.test(err.message));

describe('expressions', () => {
  it('evaluate JSONata over the record, parsed once', async () => {
    const e = compileExpression('$sum(lines.(qty * price))');
    assert.equal(await e.evaluate({ lines: [{ qty: 2, price: 3 }, { qty: 1, price: 4 }] }), 10);
    assert.equal(await e.evaluate({ lines: [{ qty: 5, price: 1 }] }), 5);
  });

  it('refuse prototype access by name, in paths and in $lookup keys', () => {
    refused('a.__proto__', /forbidden property "__proto__"/);
    refused('constructor.constructor("return process")()', /forbidden property "constructor"/);
    refused('$lookup($, "prototype")', /forbidden property "prototype"/);
  });

  it('refuse $eval, which would run text the checks never saw', () => {
    refused('$eval("1 + 1")', /forbidden function "\$eval"/);
  });

  it('refuse regular expressions that can backtrack catastrophically', () => {
    refused('$match(name, /(a+)+$/)', /backtrack catastrophically/);
    refused('$contains(name, /(a*)*b/)', /backtrack catastrophically/);
    // A plain one is fine.
    compileExpression('$match(name, /^[A-Z]{3}$/)');
  });

  it('bound regular expressions to inputs of limited length', async () => {
    const e = compileExpression('$contains(name, /ab/)', { timeoutMs: 1000, maxDepth: 100, maxSequence: 1000, maxRegexInput: 100 });
    assert.equal(await e.evaluate({ name: 'xxab' }), true);
    await assert.rejects(e.evaluate({ name: 'x'.repeat(101) }), (err: unknown) => err instanceof InterlockError && err.code === 'permanent');
  });

  it('stop unbounded recursion with a permanent error instead of exhausting the stack', async () => {
    // Not a tail call (JSONata runs those as loops), so every call nests deeper.
    // A time limit far off, so that on a loaded machine the depth limit is still what stops it.
    const e = compileExpression('($f := function($n) { 1 + $f($n + 1) }; $f(0))', { ...DEFAULT_LIMITS, timeoutMs: 60_000 });
    await assert.rejects(e.evaluate({}), (err: unknown) => err instanceof InterlockError && err.code === 'permanent' && /D1011/.test(err.message));
  });

  it('stop a runaway loop at the time limit', async () => {
    const e = compileExpression('$count([1..10000000].($ * 2))', { timeoutMs: 50, maxDepth: 200, maxSequence: 100_000_000, maxRegexInput: 100 });
    await assert.rejects(e.evaluate({}), (err: unknown) => err instanceof InterlockError && err.code === 'permanent');
  });

  it('refuse text that does not parse, naming the position', () => {
    refused('a.(', /does not parse/);
  });
});
