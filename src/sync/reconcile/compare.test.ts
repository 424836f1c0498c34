import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareGroup, type CompareRules } from './compare.ts';
import { batched, mergeJoin, type KeyGroup } from './merge-join.ts';
import type { Projection } from './projection.ts';

const rules: CompareRules = {
  systems: ['crm', 'erp', 'billing'],
  fields: [
    { field: 'name', kind: 'field' },
    { field: 'status', kind: 'status' },
    { field: 'amount', kind: 'amount', systems: ['erp'], tolerance: 0.01 },
  ],
};

const p = (key: string, id: string, fields: Projection['fields'] = {}): Projection => ({ key, id, fields });
const group = (key: string, ...bySide: Projection[][]): KeyGroup => ({ key, bySide });
const brief = (g: KeyGroup) => compareGroup(g, rules).map((d) => `${d.kind}@${d.system}${d.field === undefined ? '' : `.${d.field}`}`);

async function* from(records: Projection[]): AsyncGenerator<Projection> {
  yield* records;
}

describe('compareGroup', () => {
  const same = { name: 'Acme', status: 'active', amount: 100 };

  it('finds nothing when every system agrees, amounts within tolerance and blanks alike', () => {
    assert.deepEqual(brief(group('k', [p('k', 'c', same)], [p('k', 'e', { ...same, amount: 100.004 })], [p('k', 'b', { name: 'Acme', status: 'active', amount: null })])), []);
    assert.deepEqual(brief(group('k', [p('k', 'c', { name: null })], [p('k', 'e', { name: '' })], [p('k', 'b', {})])), []);
  });

  it('types each difference and carries both values', () => {
    const found = compareGroup(group('k', [p('k', 'c', same)], [p('k', 'e', { name: 'Acme Corp', status: 'active', amount: 110 })], [p('k', 'b', { ...same, status: 'cancelled' })]), rules);
    assert.deepEqual(
      found.map((d) => [d.kind, d.system, d.field, d.expected, d.actual, d.recordIds]),
      [
        ['field-drift', 'erp', 'name', 'Acme', 'Acme Corp', ['e']],
        ['amount-mismatch', 'erp', 'amount', 100, 110, ['e']],
        ['status-mismatch', 'billing', 'status', 'active', 'cancelled', ['b']],
      ],
    );
    assert.deepEqual(found[0]?.context, { crm: 'c', erp: 'e', billing: 'b' });
  });

  it('reports missing, duplicate and orphan records', () => {
    assert.deepEqual(brief(group('k', [p('k', 'c', same)], [], [p('k', 'b1', same), p('k', 'b2', same)])), ['duplicate@billing', 'missing@erp']);
    assert.deepEqual(brief(group('k', [], [p('k', 'e')], [])), ['orphan@erp']);
  });
});

describe('mergeJoin', () => {
  it('groups every side by key in order, duplicates together', async () => {
    const keys: string[] = [];
    for await (const groups of mergeJoin([
      { name: 'a', batches: batched(from([p('1', 'a1'), p('3', 'a3'), p('3', 'a3b')]), 2) },
      { name: 'b', batches: batched(from([p('2', 'b2'), p('3', 'b3')]), 1) },
    ], 2)) {
      for (const g of groups) keys.push(`${g.key}:${g.bySide.map((s) => s.map((r) => r.id).join('+')).join('|')}`);
    }
    assert.deepEqual(keys, ['1:a1|', '2:|b2', '3:a3+a3b|b3']);
  });

  it('fails a run whose side is not sorted by key, naming the side', async () => {
    const run = async () => {
      for await (const _ of mergeJoin([{ name: 'stripe', batches: batched(from([p('b', '1'), p('a', '2')])) }]));
    };
    await assert.rejects(run, /side stripe is not sorted by business key: "a" came after "b"/);
  });
});
