/**
 * `npm run bench -- reconcile [--quick]`: time and peak RSS to reconcile 1,000,000 against
 * 1,000,000 generated records (key-sorted local files, 1% drift of every class) with the streaming
 * merge join, discrepancies written to an SQLite run history. Baseline in the same run: a naive
 * diff that loads both sides into maps. Each runs in a process of its own, so each peak RSS is its
 * own; both must find exactly the seeded drift. `seconds` is wall time; CPU seconds beside it
 * (on a shared machine the CPU figure is the steadier one). `--quick`: 100,000 per side.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from './report.ts';
import { report, round } from './report.ts';
import { generate, type Expected } from './support/reconcile-data.ts';

const CHILD = fileURLToPath(new URL('./support/reconcile-child.ts', import.meta.url));

interface ChildResult {
  seconds: number;
  cpuS: number;
  rssMb: number;
  kinds: Record<string, number>;
}

function child(mode: 'ours' | 'naive', a: string, b: string, dir: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--max-old-space-size=4096', CHILD, mode, a, b, dir], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${mode} failed: ${stderr}`));
      else resolve(JSON.parse(stdout) as ChildResult);
    });
  });
}

function check(mode: string, found: Record<string, number>, expected: Expected): void {
  for (const [kind, n] of Object.entries(expected)) {
    if ((found[kind] ?? 0) !== n) throw new Error(`${mode} found ${found[kind] ?? 0} ${kind}, seeded ${n}`);
  }
}

/** Runs the benchmark. */
export default async function main(options: BenchOptions): Promise<void> {
  const n = options.quick ? 100_000 : 1_000_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-bench-reconcile-'));
  try {
    const a = path.join(dir, 'a.tsv');
    const b = path.join(dir, 'b.tsv');
    const expected = await generate(n, a, b);
    const naive = await child('naive', a, b, dir);
    const ours = await child('ours', a, b, dir);
    check('naive', naive.kinds, expected);
    check('merge join', ours.kinds, expected);
    const drift = Object.values(expected).reduce((x, y) => x + y, 0);
    const name = `${n / 1000}k_vs_${n / 1000}k`;
    report({ bench: 'reconcile', case: name, metric: 'seconds', value: ours.seconds, unit: 's', baseline: naive.seconds, cpu_s: round(ours.cpuS), baseline_cpu_s: round(naive.cpuS), discrepancies: drift }, 'lower');
    report({ bench: 'reconcile', case: name, metric: 'rss_mb', value: ours.rssMb, unit: 'MB', baseline: naive.rssMb }, 'lower');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
