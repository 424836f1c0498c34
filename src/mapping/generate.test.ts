import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadMapping } from './load.ts';
import { MemoryXrefRepository } from './xref.ts';

// Every rule kind and post step, with value maps that need text keys and a fallback.
const KITCHEN_SINK = `mapping: sink
source: { system: crm, object: Deal }
target: { system: canonical, object: thing }
recordId: Id
extra: { to: extra, ignore: [attributes] }
valueMaps:
  stage: { values: { Won: booked, Lost: cancelled, "1": one, "true": yes } }
  cur: { values: { usd: USD, eur: EUR }, default: XXX }
fields:
  id: { template: "d-{Id}/{Account.Name}" }
  n: $position
  customerId: { from: AccountId, lookup: { from: "crm:Account", to: "canonical:customer" }, required: true }
  partnerId: { from: PartnerId, lookup: { from: "crm:Account", to: "canonical:customer" } }
  back: { from: CustomerRef, lookup: { from: "canonical:customer", to: "crm:Account" }, default: null }
  status: { from: Stage, map: stage }
  stageBack: { from: Status, map: stage, reverse: true }
  currency: { from: Cur, map: cur, default: usd }
  total.amount: { from: Amount, as: decimal, default: 0 }
  total.minor: { from: Amount, as: minor-units }
  total.currency: { const: EUR }
  when: { from: Close, as: date }
  flag: { from: Flag, as: boolean }
  upper: { from: Name, as: upper }
  count: { from: Count, as: integer, required: true }
  len: Name.length
  inherited: toString
  deep: a.b[1].c
  refs: { items: [{ system: { const: crm }, id: Id }, { system: { const: null } }] }
  lines:
    each: Lines
    fields:
      pos: $position
      qty: { from: Q, as: decimal, required: true }
      cur: { from: $record.Cur, map: cur, default: usd }
      subs: { each: Subs, fields: { p: $position, v: { from: V, as: number } } }
      price.amount: { from: P, as: decimal }
      price.currency: $record.Cur
`;

// Odd corners: a null default fed to later steps, steps on composite values, a required list.
const CORNERS = `mapping: corners
source: { system: crm, object: Deal }
target: { system: canonical, object: thing }
recordId: Id
valueMaps:
  m: { values: { "null": was-null, a: A } }
fields:
  viaNull: { from: X, default: null, map: m }
  nullLookup: { from: Y, default: null, lookup: { from: "crm:Account", to: "canonical:customer" }, required: true }
  stamp: { from: Stamp, as: datetime }
  epoch: { from: Stamp, as: epoch-s }
  major: { from: Cents, as: major-units }
  text: { from: Any, as: string }
  box: { fields: { inner: { from: Q, as: decimal } }, required: true }
  listed: { each: Lines, fields: { q: Q }, required: true }
  fixed: { items: [{ a: A }, { b: B }], required: true }
`;

const EXPRESSIONS = `mapping: expr
source: { system: crm, object: Deal }
target: { system: canonical, object: thing }
recordId: Id
fields:
  id: Id
  total: { expr: "$sum(Lines.(Q * P))", as: decimal }
  first: { expr: "$substring(Name, 0, 1)", required: true }
  lines: { each: Lines, fields: { q: { from: Q, as: decimal }, cur: { expr: "$record.Cur" } } }
`;

/** A small seeded generator, so a failure names a corpus that can be made again. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALUES: unknown[] = [
  undefined, null, '', 'Won', 'Lost', 'Maybe', 'usd', 'eur', 'gbp', 'a', 'null', 'true', 'lots', '12.50', '-0.5', '007',
  '2026-03-31', '2026-03-30T12:00:00.000+0000', 'not a date', 0, 1, -3, 10.25, 1e21, 1e-7, 123456789.125, 129900, true, false,
  { nested: 1 }, [1, 2], 'A1', 'A2', 'A9', 'c-1', 'c-7',
];

// Values each source field usually holds; any value of VALUES turns up now and then instead.
const USUAL: Record<string, unknown[]> = {
  Id: ['o-1', 'o-2', 7], AccountId: ['A1', 'A2', 'A9'], PartnerId: ['A1', 'A9'], CustomerRef: ['c-1', 'c-2', 'c-7'],
  Stage: ['Won', 'Lost', 1, true], Status: ['booked', 'cancelled', 'one'], Cur: ['usd', 'eur', 'gbp'],
  Amount: [10.25, '12.50', 0, 129900, '0.005'], Close: ['2026-03-31', '2026-03-30T12:00:00.000+0000', 1767225600],
  Flag: [true, false, 'true'], Name: ['Acme', 'b'], Count: [1, '7'], X: ['a', null], Y: ['A1', 'A2'],
  Stamp: ['2026-03-30T12:00:00.000+0000', 1767225600], Cents: [129900, '5', -1250], Any: ['x', 3, true], A: ['x'], B: ['y'],
  Q: ['2', 1.5], P: [100.5, '3'], V: [1, '2.5'],
};

function corpus(seed: number, count: number): Array<Record<string, unknown>> {
  const next = random(seed);
  const one = (list: readonly unknown[]): unknown => list[Math.floor(next() * list.length)];
  const value = (field: string): unknown => (next() < 0.06 ? one(VALUES) : one(USUAL[field] ?? VALUES));
  const maybe = (make: () => unknown): unknown => (next() < 0.1 ? one(VALUES) : make());
  const line = (): Record<string, unknown> => ({ Q: value('Q'), P: value('P'), Subs: maybe(() => [{ V: value('V') }, { V: value('V') }]) });
  return Array.from({ length: count }, () => {
    const r: Record<string, unknown> = { attributes: { type: 'Deal' } };
    for (const f of Object.keys(USUAL)) if (next() < 0.9) r[f] = value(f);
    if (next() < 0.2) r['Custom__c'] = one(VALUES);
    r['Account'] = maybe(() => ({ Name: value('Name') }));
    r['a'] = maybe(() => ({ b: [{}, { c: one(VALUES) }] }));
    r['Lines'] = maybe(() => Array.from({ length: Math.floor(next() * 4) }, line));
    return r;
  });
}

async function repository(): Promise<MemoryXrefRepository> {
  const repo = new MemoryXrefRepository();
  await repo.link({ canonicalType: 'customer', canonicalId: 'c-1', system: 'crm', objectType: 'Account', externalId: 'A1' });
  await repo.link({ canonicalType: 'customer', canonicalId: 'c-2', system: 'crm', objectType: 'Account', externalId: 'A2' });
  return repo;
}

describe('generated mapping functions', () => {
  for (const [name, text] of [
    ['every rule kind', KITCHEN_SINK],
    ['odd corners', CORNERS],
    ['expressions', EXPRESSIONS],
  ] as const) {
    it(`map and park exactly as the closures do: ${name}`, async () => {
      // Generous expression limits: a loaded machine must not turn a result into a timeout on one side only.
      const limits = { timeoutMs: 60_000, maxDepth: 200, maxSequence: 100_000, maxRegexInput: 10_000 };
      const generated = loadMapping(text, `${name}.yaml`, { limits });
      const closures = loadMapping(text, `${name}.yaml`, { limits, generate: false });
      const records = corpus(name.length, 2000);
      const before = JSON.stringify(records);
      const ours = await generated.mapBatch(records, { xref: await repository() });
      const reference = await closures.mapBatch(records, { xref: await repository() });
      assert.deepStrictEqual(ours, reference);
      // Same key order too, so the JSON sent on is the same text.
      assert.equal(JSON.stringify(ours.mapped), JSON.stringify(reference.mapped));
      // Both outcomes occur, parked by several rules, so the comparison is not vacuous.
      const rules = new Set(ours.parked.map((p) => p.rule));
      assert.ok(ours.mapped.length > 50 && rules.size >= 3, `${ours.mapped.length} mapped; parked by ${[...rules].join(', ')}`);
      assert.equal(JSON.stringify(records), before, 'records are not changed');
    });
  }

  it('treat keys, paths and template text as data, whatever characters they hold', async () => {
    const hostile = ['"); throw 1; ("', "'; globalThis.hacked = 1; '", '*/ x /*', '${1}`', '\\', '\u2028\u2029'];
    const fields = hostile.map((h, i) => `  ${JSON.stringify(`k${h}`)}: { template: ${JSON.stringify(`t${h}{${i === 0 ? 'Id' : JSON.stringify(h).slice(1, -1)}}`)} }`);
    const text = `mapping: hostile\nsource: { system: a, object: b }\ntarget: { system: c, object: d }\nrecordId: Id\nfields:\n${fields.join('\n')}\n  ${JSON.stringify('p"]')}: ${JSON.stringify('x".y')}\n`;
    const record: Record<string, unknown> = { Id: 'i', 'x"': { y: 'ok' } };
    for (const h of hostile.slice(1)) record[h] = 'v';
    const ours = await loadMapping(text, 'hostile.yaml').mapOne(record);
    assert.deepStrictEqual(ours, await loadMapping(text, 'hostile.yaml', { generate: false }).mapOne(record));
    assert.equal((ours as Record<string, unknown>)[`k${hostile[0]}`], `t${hostile[0]}i`);
    assert.equal((ours as Record<string, unknown>)['p"]'], 'ok');
    assert.equal((globalThis as Record<string, unknown>)['hacked'], undefined);
  });
});
