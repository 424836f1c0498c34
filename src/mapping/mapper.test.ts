import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadMapping } from './load.ts';
import { MemoryXrefRepository, XrefCache } from './xref.ts';
import type { XrefRepository } from './xref.ts';

const spec = `mapping: t
source: { system: crm, object: Deal }
target: { system: canonical, object: thing }
recordId: Id
valueMaps:
  stage: { values: { Won: booked, Lost: cancelled } }
fields:
  id: { template: "t-{Id}" }
  customerId: { from: AccountId, lookup: { from: "crm:Account", to: "canonical:customer" }, required: true }
  status: { from: Stage, map: stage }
  total.amount: { from: Amount, as: decimal }
  total.currency: { const: EUR }
  lines:
    each: Lines
    fields:
      n: { from: $position }
      qty: { from: Q, as: decimal, required: true }
      cur: $record.Currency
`;

class CountingRepo extends MemoryXrefRepository {
  queries = 0;
  override async findCanonical(...args: Parameters<XrefRepository['findCanonical']>): Promise<Map<string, string>> {
    this.queries++;
    return super.findCanonical(...args);
  }
}

describe('mapper', () => {
  it('maps paths, templates, value maps, conversions, nested targets and lines', async () => {
    const cache = new XrefCache();
    cache.preload([{ canonicalType: 'customer', canonicalId: 'c-1', system: 'crm', objectType: 'Account', externalId: 'A1' }]);
    const m = loadMapping(spec, 't.yaml');
    const out = await m.mapOne({ Id: 7, AccountId: 'A1', Stage: 'Won', Amount: 10.25, Currency: 'EUR', Lines: [{ Q: 2 }, { Q: '3.5' }] }, { cache });
    assert.deepEqual(out, {
      id: 't-7',
      customerId: 'c-1',
      status: 'booked',
      total: { amount: '10.25', currency: 'EUR' },
      lines: [
        { n: 1, qty: '2', cur: 'EUR' },
        { n: 2, qty: '3.5', cur: 'EUR' },
      ],
    });
    assert.equal(m.usesExpressions, false);
  });

  it('resolves a batch of lookups with one query per lookup pair, then parks what has no reference', async () => {
    const repo = new CountingRepo();
    await repo.link({ canonicalType: 'customer', canonicalId: 'c-1', system: 'crm', objectType: 'Account', externalId: 'A1' });
    await repo.link({ canonicalType: 'customer', canonicalId: 'c-2', system: 'crm', objectType: 'Account', externalId: 'A2' });
    const m = loadMapping(spec, 't.yaml');
    const records = [
      { Id: 1, AccountId: 'A1', Stage: 'Won' },
      { Id: 2, AccountId: 'A2', Stage: 'Lost' },
      { Id: 3, AccountId: 'A1', Stage: 'Won' },
      { Id: 4, AccountId: 'A9', Stage: 'Won' },
    ];
    const { mapped, parked } = await m.mapBatch(records, { xref: repo });
    assert.equal(repo.queries, 1);
    assert.deepEqual(mapped.map((r) => [r.recordId, (r.output as { customerId: string }).customerId]), [
      ['1', 'c-1'],
      ['2', 'c-2'],
      ['3', 'c-1'],
    ]);
    assert.equal(parked.length, 1);
    assert.equal(parked[0]?.recordId, '4');
    assert.equal(parked[0]?.field, 'customerId');
    assert.equal(parked[0]?.rule, 'lookup: crm:Account>canonical:customer');
    assert.deepEqual(parked[0]?.record, records[3]);
  });

  it('parks a failing record with record id, field path and rule, and maps the others', async () => {
    const cache = new XrefCache();
    cache.preload([{ canonicalType: 'customer', canonicalId: 'c-1', system: 'crm', objectType: 'Account', externalId: 'A1' }]);
    const m = loadMapping(spec, 't.yaml');
    const { mapped, parked } = await m.mapBatch(
      [
        { Id: 'ok', AccountId: 'A1', Lines: [] },
        { Id: 'bad-stage', AccountId: 'A1', Stage: 'Maybe' },
        { Id: 'bad-qty', AccountId: 'A1', Lines: [{ Q: 1 }, { Q: 'lots' }] },
        { Id: 'float', AccountId: 'A1', Amount: 1e21 },
      ],
      { cache },
    );
    assert.deepEqual(mapped.map((r) => r.recordId), ['ok']);
    assert.deepEqual(
      parked.map((p) => p.reason),
      [
        't: record bad-stage: field status: rule map: stage: "Maybe" is not in value map "stage"',
        't: record bad-qty: field lines[1].qty: rule as: decimal: "lots" is not a decimal',
        't: record float: field total.amount: rule as: decimal: 1e+21 is not a decimal',
      ],
    );
  });

  it('maps computed fields with expressions, and parks a record whose expression fails', async () => {
    const m = loadMapping(
      `mapping: e\nsource: { system: a, object: b }\ntarget: { system: c, object: d }\nrecordId: id\nfields:\n  total: { expr: "$sum(lines.(q * p))", as: decimal }\n  first: { expr: "$substring(name, 0, 1)" }\n`,
      'e.yaml',
      { limits: { timeoutMs: 1000, maxDepth: 50, maxSequence: 1000, maxRegexInput: 100 } },
    );
    assert.equal(m.usesExpressions, true);
    const { mapped, parked } = await m.mapBatch([
      { id: 'a', name: 'Acme', lines: [{ q: 2, p: 1.5 }] },
      { id: 'b', name: 5, lines: [] },
    ]);
    assert.deepEqual(mapped[0]?.output, { total: '3', first: 'A' });
    assert.equal(parked[0]?.recordId, 'b');
  });

  it('never reads inherited members as fields', async () => {
    const m = loadMapping(`mapping: p\nsource: { system: a, object: b }\ntarget: { system: c, object: d }\nrecordId: id\nfields:\n  a: toString\n  b: x.valueOf\n  c: name.length\n`, 'p.yaml');
    assert.deepEqual(await m.mapOne({ id: 1, x: {}, name: 'abc' }), { c: 3 });
  });

  it('collects unconsumed source fields into extra', async () => {
    const m = loadMapping(
      `mapping: x\nsource: { system: a, object: b }\ntarget: { system: c, object: d }\nrecordId: id\nextra: { to: extra, ignore: [attributes] }\nfields:\n  id: id\n  n: $record.name\n`,
      'x.yaml',
    );
    assert.deepEqual(await m.mapOne({ id: 1, name: 'n', attributes: {}, Custom__c: 'v' }), { id: 1, n: 'n', extra: { Custom__c: 'v' } });
  });

  it('keeps a source field named __proto__ in extra as data, without touching any prototype', async () => {
    const text = `mapping: x\nsource: { system: a, object: b }\ntarget: { system: c, object: d }\nrecordId: id\nextra: { to: extra }\nfields:\n  id: id\n`;
    const record: unknown = JSON.parse('{"id": 1, "__proto__": {"polluted": true}}');
    for (const generate of [true, false]) {
      const out = await loadMapping(text, 'x.yaml', { generate }).mapOne<{ extra: Record<string, unknown> }>(record);
      assert.equal(Object.getPrototypeOf(out.extra), Object.prototype);
      assert.deepEqual(Object.getOwnPropertyDescriptor(out.extra, '__proto__')?.value, { polluted: true });
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    }
  });
});
