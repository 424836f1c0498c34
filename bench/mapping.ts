/**
 * `npm run bench -- mapping [--quick]`: records/s mapping Salesforce opportunities (5 line items
 * each; stage, currency and account legal-entity value maps; one account cross-reference lookup)
 * into canonical Orders with the shipped compiled mapping, on one core. Baseline in the same run:
 * the same mapping written as one JSONata expression evaluated per record by the `jsonata` library.
 * Rates are records per second of process CPU time (the mapping's own thread and the collector's),
 * the median of several rounds after a warm-up; each line gives the slowest and fastest round and
 * the collector's time per round beside it.
 */
import jsonata from 'jsonata';
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadMappingFile } from '../src/mapping/load.ts';
import { XrefCache } from '../src/mapping/xref.ts';
import type { XrefLink } from '../src/mapping/xref.ts';
import type { BenchOptions } from './report.ts';
import { report } from './report.ts';

const MAPPING = fileURLToPath(new URL('../src/connectors/salesforce/mappings/opportunity-to-order.yaml', import.meta.url));
const STAGES = ['Prospecting', 'Negotiation/Review', 'Closed Won', 'Closed Lost', 'Proposal/Price Quote'];
const CURRENCIES = ['USD', 'EUR', 'GBP', 'usd'];
const COUNTRIES = ['US', 'Germany', 'GB', 'CA', 'Japan'];
const ACCOUNTS = 1000;
// Each side is timed over several rounds after a warm-up and reports the median round, so that a
// burst of load from other processes on a shared machine does not decide the result either way.
const ROUNDS = 5;
// Records per mapBatch call, as a sync maps one page of a vendor's answer at a time.
const BATCH = 1000;

/**
 * Times `fn` by the CPU time this process used (user + system) and by the wall clock. On a machine
 * shared with other work, CPU time is what "records per second on one core" means; the wall
 * figure is reported beside it.
 */
async function timed(fn: () => Promise<void>): Promise<{ cpuS: number; wallS: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { cpuS: (c.user + c.system) / 1e6, wallS: (performance.now() - t0) / 1000 };
}

function accountId(i: number): string {
  return `001${String(i % ACCOUNTS).padStart(15, '0')}`;
}

/**
 * `n` opportunities from number `start` on, as a sync holds them: parsed from the JSON of a
 * vendor's answer. Built directly, their ids would be strings joined by concatenation, which V8
 * keeps as unflattened pairs until first hashed: each record's cross-reference lookup then paid for
 * copying its key flat, which no parsed payload costs.
 */
function opportunities(start: number, n: number): Record<string, unknown>[] {
  const out = new Array<Record<string, unknown>>(n);
  for (let j = 0; j < n; j++) out[j] = opportunity(start + j);
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>[];
}

function opportunity(i: number): Record<string, unknown> {
  const id = `006${String(i).padStart(15, '0')}`;
  const currency = CURRENCIES[i % CURRENCIES.length];
  const lines = [];
  let amount = 0;
  for (let l = 0; l < 5; l++) {
    const quantity = 1 + ((i + l) % 7);
    const unitPrice = 100 + ((i * 7 + l * 13) % 900) + 0.5;
    amount += quantity * unitPrice;
    lines.push({
      attributes: { type: 'OpportunityLineItem', url: `/services/data/v61.0/sobjects/OpportunityLineItem/00k${id}${l}` },
      Id: `00k${String(i * 5 + l).padStart(15, '0')}`,
      Product2Id: `01t${String(l).padStart(15, '0')}`,
      Product2: { ProductCode: `SKU-${l}` },
      Quantity: quantity,
      UnitPrice: unitPrice,
      TotalPrice: quantity * unitPrice,
      Discount: l === 0 ? 10 : null,
      ServiceDate: '2026-01-01',
      Description: `Line ${l}`,
      SortOrder: l + 1,
    });
  }
  return {
    attributes: { type: 'Opportunity', url: `/services/data/v61.0/sobjects/Opportunity/${id}` },
    Id: id,
    Name: `Deal ${i}`,
    StageName: STAGES[i % STAGES.length],
    CloseDate: '2026-03-31',
    AccountId: accountId(i),
    Amount: amount,
    CurrencyIsoCode: currency,
    SystemModstamp: '2026-03-30T12:00:00.000+0000',
    Account: { attributes: { type: 'Account' }, BillingCountry: COUNTRIES[i % COUNTRIES.length] },
    OpportunityLineItems: { totalSize: 5, done: true, records: lines },
  };
}

// The same mapping as one JSONata expression; value maps and the xref are bindings.
const BASELINE = `(
  $cur := $lookup($currency, CurrencyIsoCode);
  $cur := $exists($cur) ? $cur : "USD";
  $le := $lookup($legalEntity, Account.BillingCountry);
  {
    "id": "sfdc-opp-" & Id,
    "refs": [{ "system": "salesforce", "objectType": "Opportunity", "externalId": Id }],
    "version": $toMillis(SystemModstamp, "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z0000]"),
    "name": Name,
    "customerId": $xref(AccountId),
    "status": $lookup($stage, StageName),
    "orderDate": $substring(CloseDate, 0, 10),
    "currency": $cur,
    "legalEntity": $exists($le) ? $le : "US01",
    "total": { "amount": $string(Amount), "currency": $cur },
    "lines": [OpportunityLineItems.records.{
      "lineNumber": SortOrder,
      "externalId": Id,
      "productId": Product2Id,
      "sku": Product2.ProductCode,
      "description": Description,
      "quantity": $string(Quantity),
      "unitPrice": { "amount": $string(UnitPrice), "currency": $cur },
      "discountPercent": Discount ? $string(Discount) : undefined,
      "amount": { "amount": $string(TotalPrice), "currency": $cur },
      "serviceStart": ServiceDate
    }]
  }
)`;

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sortKeys(x)]));
  }
  return v;
}

/** Median of a list of numbers (the lower middle for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

/** Runs the benchmark. */
export default async function mappingBench(opts: BenchOptions): Promise<void> {
  const count = opts.quick ? 20_000 : 100_000;
  const baselineCount = opts.quick ? 2_000 : 10_000;
  const links: XrefLink[] = Array.from({ length: ACCOUNTS }, (_, i) => ({
    canonicalType: 'customer',
    canonicalId: `cus-${i}`,
    system: 'salesforce',
    objectType: 'Account',
    externalId: accountId(i),
  }));

  const mapper = await loadMappingFile(MAPPING);
  const cache = new XrefCache();
  cache.preload(links);
  // Garbage-collection time of the whole process, by kind, to show in the result what the clock
  // charged to the collector.
  const gc = { minor: 0, major: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = ((e as PerformanceEntry & { detail?: { kind?: number } }).detail)?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor += e.duration;
      else gc.major += e.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  // Two cases: the mapping alone (what the target is about), and with every output validated
  // against the Order contract as production runs do.
  const measure = async (validate: boolean) => {
    // Warm-up so the JIT has optimised the closures, as it has in any long-running sync.
    for (let w = 0; w < 10; w++) await mapper.mapBatch(opportunities(w * BATCH, BATCH), { cache, validate });
    const rates: number[] = [];
    const walls: number[] = [];
    const minorMs: number[] = [];
    const majorMs: number[] = [];
    let mapped = 0;
    let parked = 0;
    for (let round = 0; round < ROUNDS; round++) {
      mapped = 0;
      parked = 0;
      let cpuUs = 0;
      let wallMs = 0;
      // GC entries arrive on a timer: let the previous round's arrive before counting this round's.
      await sleep(20);
      const minor0 = gc.minor;
      const major0 = gc.major;
      for (let i = 0; i < count; i += BATCH) {
        // Each batch is made just before it is mapped and dropped after, as a sync holds one page
        // of a vendor's answer at a time. A corpus of all 100,000 payloads held for the whole run
        // (360 MB of live objects) made every major collection mark it again, and made
        // the figure swing between runs with when those collections fell.
        const records = opportunities(i, Math.min(BATCH, count - i));
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const r = await mapper.mapBatch(records, { cache, validate });
        wallMs += performance.now() - t0;
        const c = process.cpuUsage(c0);
        cpuUs += c.user + c.system;
        mapped += r.mapped.length;
        parked += r.parked.length;
      }
      await sleep(20);
      minorMs.push(gc.minor - minor0);
      majorMs.push(gc.major - major0);
      rates.push(count / (cpuUs / 1e6));
      walls.push(count / (wallMs / 1000));
    }
    return { rate: median(rates), min: Math.min(...rates), max: Math.max(...rates), wall: median(walls), gcMinorMs: median(minorMs), gcMajorMs: median(majorMs), mapped, parked };
  };
  const plain = await measure(false);
  const validated = await measure(true);
  observer.disconnect();
  const records = opportunities(0, baselineCount);

  const stage = Object.fromEntries(Object.entries(mapper.spec.valueMaps?.['stage']?.values ?? {}));
  const currency = Object.fromEntries(Object.entries(mapper.spec.valueMaps?.['currency']?.values ?? {}));
  const legalEntity = Object.fromEntries(Object.entries(mapper.spec.valueMaps?.['legalEntity']?.values ?? {}));
  const xrefMap = new Map(links.map((l) => [l.externalId, l.canonicalId]));
  const bindings = { stage, currency, legalEntity, xref: (id: string) => xrefMap.get(id) };
  const expr = jsonata(BASELINE);
  // The baseline must do the same work: its output equals ours (but for `extra`, which only the
  // compiled mapping collects) on a sample of records.
  for (const i of [0, 1, 2, 3, 4, 777]) {
    const ours = (await mapper.mapOne<Record<string, unknown>>(records[i], { cache, validate: false })) ?? {};
    const { extra: _extra, ...comparable } = ours;
    const theirs: unknown = await expr.evaluate(records[i], bindings);
    if (JSON.stringify(sortKeys(comparable)) !== JSON.stringify(sortKeys(theirs))) {
      throw new Error(`baseline output differs from the compiled mapping for record ${i}`);
    }
  }
  for (let i = 0; i < 200; i++) await expr.evaluate(records[i], bindings);
  const baselineRates: number[] = [];
  const baselineWalls: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t = await timed(async () => {
      for (let i = 0; i < baselineCount; i++) await expr.evaluate(records[i], bindings);
    });
    baselineRates.push(baselineCount / t.cpuS);
    baselineWalls.push(baselineCount / t.wallS);
  }
  const baseline = median(baselineRates);
  const baselineWall = median(baselineWalls);

  for (const [name, r] of [
    ['salesforce-opportunity-to-order', plain],
    ['salesforce-opportunity-to-order+validate', validated],
  ] as const) {
    report({
      bench: 'mapping',
      case: name,
      metric: 'records_per_s',
      value: r.rate,
      unit: 'records/s',
      baseline,
      records: count,
      baseline_records: baselineCount,
      mapped: r.mapped,
      parked: r.parked,
      rounds: ROUNDS,
      statistic: 'median round',
      min_records_per_s: Math.round(r.min),
      max_records_per_s: Math.round(r.max),
      clock: 'process cpu time',
      gc_minor_ms_per_round: Math.round(r.gcMinorMs),
      gc_major_ms_per_round: Math.round(r.gcMajorMs),
      wall_records_per_s: Math.round(r.wall),
      wall_baseline: Math.round(baselineWall),
    });
  }
}
