import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InterlockError } from '../core/errors.ts';
import { loadMapping } from './load.ts';

const head = `mapping: t
source: { system: x, object: A }
target: { system: canonical, object: order }
recordId: Id
`;

function refusal(text: string): InterlockError {
  try {
    loadMapping(text, 'maps/t.yaml');
  } catch (err) {
    assert.ok(err instanceof InterlockError, String(err));
    assert.equal(err.code, 'validation');
    return err;
  }
  assert.fail('mapping was accepted');
}

describe('loading a mapping file', () => {
  it('names file, line and key for an unknown value map', () => {
    const err = refusal(`${head}fields:\n  id: Id\n  status: { from: Stage, map: stages }\n`);
    assert.equal(err.message, 'maps/t.yaml:7:11: fields.status: no value map named "stages"');
    assert.deepEqual(err.details, { file: 'maps/t.yaml', line: 7, key: 'fields.status' });
  });

  it('names the key of an unknown rule option', () => {
    const err = refusal(`${head}fields:\n  id: { form: Id }\n`);
    assert.match(err.message, /^maps\/t\.yaml:6:7: fields\.id: must NOT have additional properties "form"$/);
  });

  it('refuses a path that reaches the prototype chain, at compile time', () => {
    assert.match(refusal(`${head}fields:\n  id: a.__proto__.b\n`).message, /t\.yaml:6:7: fields\.id: path "a\.__proto__\.b" names the forbidden segment "__proto__"/);
    assert.match(refusal(`${head}fields:\n  constructor: Id\n`).message, /fields\.constructor: target field "constructor" is not allowed/);
  });

  it('refuses a rule with two sources, and an unsafe expression, naming the key', () => {
    assert.match(refusal(`${head}fields:\n  id: { from: Id, const: x }\n`).message, /fields\.id: a rule needs exactly one of/);
    assert.match(refusal(`${head}fields:\n  n: { expr: "$eval(x)" }\n`).message, /:6:6: fields\.n: expression uses the forbidden function/);
  });

  it('refuses a lookup without the canonical side', () => {
    assert.match(
      refusal(`${head}fields:\n  a: { from: A, lookup: { from: "x:A", to: "y:B" } }\n`).message,
      /fields\.a: lookup x:A > y:B must have "canonical" on exactly one side/,
    );
  });

  it('reports broken YAML with its line', () => {
    assert.match(refusal(`${head}fields:\n  id: [unclosed\n`).message, /^maps\/t\.yaml:\d+:\d+: invalid YAML/);
  });

  it('refuses alias bombs instead of expanding them', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    assert.match(refusal(bomb).message, /^maps\/t\.yaml: .*alias/i);
  });

  it('reports a missing top-level key', () => {
    assert.match(refusal('mapping: t\nfields: {}\n').message, /must have required property 'source'/);
  });
});
