import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import type { TProperties } from '@sinclair/typebox';
import { diffSchemas } from './schema-diff.ts';
import { judge, requiredBump } from './compatibility.ts';
import type { ChangeKind, CompatibilityMode } from './compatibility.ts';
import { renderReport } from './render.ts';
import { OrderSchema } from '../canonical/order.ts';

const obj = (p: TProperties) => Type.Object(p, { additionalProperties: false });
const base = {
  id: Type.String(),
  name: Type.Optional(Type.String()),
  amount: Type.Number(),
  qty: Type.Integer(),
  status: Type.Union([Type.Literal('open'), Type.Literal('paid')]),
  email: Type.Optional(Type.String({ format: 'email' })),
  code: Type.Optional(Type.String({ maxLength: 10 })),
};
const before = obj(base);
const without = (key: keyof typeof base): TProperties => {
  const copy: TProperties = { ...base };
  delete copy[key];
  return copy;
};

interface Case {
  name: string;
  after: unknown;
  kind: ChangeKind;
  breaks: Partial<Record<CompatibilityMode, boolean>>;
}

// The table of change cases: each names the difference and whether it breaks per mode.
const CASES: Case[] = [
  { name: 'optional field removed', after: obj(without('name')), kind: 'property-removed', breaks: { backward: true, forward: false, full: true } },
  { name: 'required field removed', after: obj(without('id')), kind: 'property-removed', breaks: { backward: true, forward: true, full: true } },
  { name: 'type changed', after: obj({ ...base, amount: Type.String() }), kind: 'type-changed', breaks: { backward: true, forward: true } },
  { name: 'type narrowed (number → integer)', after: obj({ ...base, amount: Type.Integer() }), kind: 'type-narrowed', breaks: { backward: true, forward: false } },
  { name: 'type widened (integer → number)', after: obj({ ...base, qty: Type.Number() }), kind: 'type-widened', breaks: { backward: false, forward: true } },
  { name: 'new required field', after: obj({ ...base, currency: Type.String() }), kind: 'required-property-added', breaks: { backward: true, forward: true } },
  { name: 'optional field made required', after: obj({ ...base, name: Type.String() }), kind: 'property-made-required', breaks: { backward: true, forward: false } },
  { name: 'required field made optional', after: obj({ ...base, amount: Type.Optional(Type.Number()) }), kind: 'property-made-optional', breaks: { backward: false, forward: true } },
  { name: 'enum value removed', after: obj({ ...base, status: Type.Union([Type.Literal('open')]) }), kind: 'enum-value-removed', breaks: { backward: true, forward: false } },
  { name: 'enum value added', after: obj({ ...base, status: Type.Union([Type.Literal('open'), Type.Literal('paid'), Type.Literal('void')]) }), kind: 'enum-value-added', breaks: { backward: false, forward: true, full: true, none: false } },
  { name: 'format added (tightened)', after: obj({ ...base, name: Type.Optional(Type.String({ format: 'uri' })) }), kind: 'format-added', breaks: { backward: true, forward: false } },
  { name: 'format changed', after: obj({ ...base, email: Type.Optional(Type.String({ format: 'uri' })) }), kind: 'format-changed', breaks: { backward: true, forward: true } },
  { name: 'format removed (loosened)', after: obj({ ...base, email: Type.Optional(Type.String()) }), kind: 'format-removed', breaks: { backward: false, forward: true } },
  { name: 'pattern added', after: obj({ ...base, id: Type.String({ pattern: '^o-' }) }), kind: 'pattern-added', breaks: { backward: true, forward: false } },
  { name: 'max length lowered', after: obj({ ...base, code: Type.Optional(Type.String({ maxLength: 5 })) }), kind: 'constraint-tightened', breaks: { backward: true, forward: false } },
  { name: 'max length raised', after: obj({ ...base, code: Type.Optional(Type.String({ maxLength: 50 })) }), kind: 'constraint-loosened', breaks: { backward: false, forward: true } },
  { name: 'minimum added', after: obj({ ...base, qty: Type.Integer({ minimum: 1 }) }), kind: 'constraint-tightened', breaks: { backward: true } },
  { name: 'optional field added', after: obj({ ...base, note: Type.Optional(Type.String()) }), kind: 'property-added', breaks: { backward: false, forward: true, full: true, none: false } },
  { name: 'unknown properties accepted', after: Type.Object(base), kind: 'additional-properties-opened', breaks: { backward: false, forward: true } },
  { name: 'a keyword the checker does not analyse ($ref) changed', after: obj({ ...base, id: Type.Unsafe({ type: 'string', $ref: '#/$defs/Id' }) }), kind: 'schema-replaced', breaks: { backward: true, forward: true, none: false } },
  { name: 'description changed', after: obj({ ...base, id: Type.String({ description: 'the id' }) }), kind: 'annotation-changed', breaks: { backward: false, forward: false, full: false } },
];

describe('compatibility checker', () => {
  for (const c of CASES) {
    it(`classifies: ${c.name}`, () => {
      const changes = diffSchemas(before, c.after);
      assert.equal(changes.length, 1, JSON.stringify(changes));
      assert.equal(changes[0]?.kind, c.kind);
      for (const [mode, breaks] of Object.entries(c.breaks)) {
        assert.equal(judge(changes, mode as CompatibilityMode).compatible, !breaks, `${c.name} under ${mode}`);
      }
    });
  }

  it('finds no change between identical schemas, and nothing ever breaks under mode none', () => {
    assert.deepEqual(diffSchemas(OrderSchema, structuredClone(OrderSchema)), []);
    for (const c of CASES) assert.equal(judge(diffSchemas(before, c.after), 'none').compatible, true);
  });

  it('points into nested arrays with a JSON pointer', () => {
    const v2 = structuredClone(OrderSchema) as unknown as { properties: { lines: { items: { properties: Record<string, unknown> } } } };
    v2.properties.lines.items.properties['quantity'] = Type.Number();
    const [change] = diffSchemas(OrderSchema, v2);
    assert.equal(change?.pointer, '/properties/lines/items/properties/quantity/type');
    assert.equal(change?.kind, 'type-changed');
  });

  it('asks for a major bump when anything narrows, minor when only widened', () => {
    assert.equal(requiredBump(diffSchemas(before, CASES[0]?.after)), 'major');
    assert.equal(requiredBump(diffSchemas(before, obj({ ...base, note: Type.Optional(Type.String()) }))), 'minor');
    assert.equal(requiredBump([]), 'none');
  });

  it('renders a readable diff marking breaking lines', () => {
    const after = obj({ ...base, status: Type.Union([Type.Literal('open')]), note: Type.Optional(Type.String()) });
    const text = renderReport(judge(diffSchemas(before, after), 'backward'), 'x@1.0.0', 'x@2.0.0');
    assert.match(text, /x@1\.0\.0 → x@2\.0\.0 \(mode backward\): 2 changes, 1 breaking/);
    assert.match(text, /BREAKING {2}\/properties\/status +enum-value-removed: value "paid" removed/);
    assert.match(text, /ok {8}\/properties\/note +property-added/);
  });
});
