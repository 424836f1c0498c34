import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadMapping } from './load.ts';
import { XrefCache } from './xref.ts';

const OPPORTUNITY = fileURLToPath(new URL('../connectors/salesforce/mappings/opportunity-to-order.yaml', import.meta.url));

// A value map with a value the Order contract refuses, and one with a currency that is not ISO.
const LOOSE = `mapping: loose
source: { system: crm, object: Deal }
target: { system: canonical, object: order }
recordId: Id
validate: order
valueMaps:
  stage: { values: { Won: booked, Shipped: shipped } }
  cur: { values: { USD: USD, usd: usd } }
fields:
  id: Id
  refs: { items: [{ system: { const: crm }, objectType: { const: Deal }, externalId: Id }] }
  version: { const: 1 }
  customerId: { const: c-1 }
  status: { from: Stage, map: stage }
  currency: { from: Cur, map: cur }
  total.amount: { from: Amount, as: decimal }
  total.currency: { from: Cur, map: cur }
  lines: { each: Lines, fields: { lineNumber: { from: N, as: integer }, quantity: { from: Q, as: decimal }, unitPrice.amount: { from: P, as: decimal }, unitPrice.currency: { const: USD } } }
`;

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648;
  };
}

/** Opportunities as Salesforce sends them, now and then with a value the Order contract refuses. */
function opportunities(count: number): Array<Record<string, unknown>> {
  const next = random(7);
  const odd = <T>(usual: T, ...unusual: unknown[]): unknown => (next() < 0.08 ? unusual[Math.floor(next() * unusual.length)] : usual);
  return Array.from({ length: count }, (_, i) => ({
    attributes: { type: 'Opportunity' },
    Id: odd(`006${i}`, '', 7),
    Name: odd(`Deal ${i}`, 5, true),
    StageName: odd('Closed Won', 'Prospecting', 'Closed Lost'),
    CloseDate: odd('2026-03-31', '2026-13-45', '2026-02-31T00:00:00Z'),
    AccountId: odd('A1', 'A2', 'A0'),
    Amount: odd(100.5, '7', -3),
    CurrencyIsoCode: odd('USD', 'usd', 'EUR'),
    SystemModstamp: odd('2026-03-30T12:00:00.000+0000', 1767225600.5, -5),
    Account: { BillingCountry: odd('US', 'Germany', 'Atlantis') },
    OpportunityLineItems: {
      records: Array.from({ length: Math.floor(next() * 4) }, (_, l) => ({
        Id: odd(`00k${l}`, 9),
        SortOrder: odd(l + 1, 0, -2, '3'),
        Quantity: odd(2, '1.5', '-1'),
        UnitPrice: odd(10.25, '3'),
        TotalPrice: odd(20.5, 0),
        Discount: odd(null, 10, '5'),
        ServiceDate: odd('2026-01-01', '2026-01-32', 'tomorrow'),
        Product2: { ProductCode: odd('SKU-1', 3) },
      })),
    },
  }));
}

function crossReferences(): XrefCache {
  const cache = new XrefCache();
  cache.preload([
    { canonicalType: 'customer', canonicalId: 'c-1', system: 'salesforce', objectType: 'Account', externalId: 'A1' },
    // An empty canonical id, which the contract refuses.
    { canonicalType: 'customer', canonicalId: '', system: 'salesforce', objectType: 'Account', externalId: 'A2' },
  ]);
  return cache;
}

describe('checking outputs against the contract', () => {
  it('parks the same records, naming the same field and reason, as the whole contract does', async () => {
    const text = readFileSync(OPPORTUNITY, 'utf8');
    const records = opportunities(3000);
    const ours = await loadMapping(text, OPPORTUNITY).mapBatch(records, { cache: crossReferences() });
    const whole = await loadMapping(text, OPPORTUNITY, { generate: false }).mapBatch(records, { cache: crossReferences() });
    assert.deepStrictEqual(ours, whole);
    const byContract = ours.parked.filter((p) => p.rule === 'contract: order');
    assert.ok(byContract.length > 100 && ours.mapped.length > 100, `${ours.mapped.length} mapped, ${byContract.length} refused by the contract`);
  });

  it('still checks value map values and constants the contract refuses', async () => {
    const records = [
      { Id: 'ok', Stage: 'Won', Cur: 'USD', Amount: 5, Lines: [{ N: 1, Q: 2, P: 3 }] },
      { Id: 'shipped', Stage: 'Shipped', Cur: 'USD', Lines: [] },
      { Id: 'lower', Stage: 'Won', Cur: 'usd', Lines: [] },
      { Id: 'line', Stage: 'Won', Cur: 'USD', Amount: 1, Lines: [{ N: 0, Q: 2, P: 3 }] },
    ];
    const ours = await loadMapping(LOOSE, 'loose.yaml').mapBatch(records);
    assert.deepStrictEqual(ours, await loadMapping(LOOSE, 'loose.yaml', { generate: false }).mapBatch(records));
    assert.deepStrictEqual(ours.mapped.map((m) => m.recordId), ['ok']);
    assert.deepStrictEqual(
      ours.parked.map((p) => [p.recordId, p.field, p.rule]),
      [
        ['shipped', 'status', 'contract: order'],
        ['lower', 'currency', 'contract: order'],
        ['line', 'lines[0].lineNumber', 'contract: order'],
      ],
    );
  });

  it('still refuses a field the contract does not declare', async () => {
    const text = LOOSE.replace('  id: Id\n', '  id: Id\n  note: { const: hello }\n');
    const records = [{ Id: 'a', Stage: 'Won', Cur: 'USD', Amount: 1, Lines: [] }];
    const ours = await loadMapping(text, 'loose.yaml').mapBatch(records);
    assert.deepStrictEqual(ours, await loadMapping(text, 'loose.yaml', { generate: false }).mapBatch(records));
    assert.match(ours.parked[0]?.reason ?? '', /rule contract: order: must NOT have additional properties/);
  });
});
