/**
 * One side of the reconcile benchmark in a process of its own, so that its peak RSS is its own:
 * `node reconcile-child.ts ours|naive <a.tsv> <b.tsv> <store dir>`. Prints one JSON line:
 * wall and CPU seconds, peak RSS in MB, and discrepancies per kind.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../src/core/clock.ts';
import { openStore } from '../../src/store/open-store.ts';
import { compareGroup, type FieldRule } from '../../src/sync/reconcile/compare.ts';
import type { Projection } from '../../src/sync/reconcile/projection.ts';
import { runReconciliation } from '../../src/sync/reconcile/reconciler.ts';
import { parseLine, readTsv } from './reconcile-data.ts';

const [mode, a = '', b = '', dir = ''] = process.argv.slice(2);
const fields: FieldRule[] = [
  { field: 'name', kind: 'field' },
  { field: 'status', kind: 'status' },
  { field: 'amount', kind: 'amount', tolerance: 0.01 },
];

/** The naive diff: both files into maps, then every key of either compared. */
function naive(): Record<string, number> {
  const load = (file: string) => {
    const map = new Map<string, Projection[]>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line === '') continue;
      const p = parseLine(line);
      const list = map.get(p.key);
      if (list === undefined) map.set(p.key, [p]);
      else list.push(p);
    }
    return map;
  };
  const left = load(a);
  const right = load(b);
  const kinds: Record<string, number> = {};
  const count = (key: string) => {
    for (const d of compareGroup({ key, bySide: [left.get(key) ?? [], right.get(key) ?? []] }, { systems: ['a', 'b'], fields })) kinds[d.kind] = (kinds[d.kind] ?? 0) + 1;
  };
  for (const key of left.keys()) count(key);
  for (const key of right.keys()) if (!left.has(key)) count(key);
  return kinds;
}

const t0 = performance.now();
const c0 = process.cpuUsage();
let kinds: Record<string, number>;
if (mode === 'naive') kinds = naive();
else {
  const store = await openStore({ kind: 'sqlite', sqlitePath: path.join(dir, 'bench.db') });
  const run = await runReconciliation(
    {
      name: 'bench',
      description: 'generated files',
      sides: [
        { system: 'a', sorted: true, read: () => { throw new Error('batches only'); }, readBatches: () => readTsv(a) },
        { system: 'b', sorted: true, read: () => { throw new Error('batches only'); }, readBatches: () => readTsv(b) },
      ],
      fields,
    },
    { store, clock: systemClock, startedBy: 'bench' },
  );
  kinds = run.kinds as Record<string, number>;
  await store.close();
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ seconds, cpuS: (cpu.user + cpu.system) / 1e6, rssMb: process.resourceUsage().maxRSS / 1024, kinds }) + '\n');
