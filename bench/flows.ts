/**
 * `npm run bench -- flows`: completed runs/s of the five-step flow whose steps do no I/O, on
 * SQLite and PostgreSQL, from start to completion through the durable runtime (journal write per
 * step, grouped into shared commits), with the store writes it took per step. Baseline in the same
 * run and store: the same five steps as plain function calls, each followed by one durable insert
 * (one commit), at the same concurrency. `cpu_us_per_step`: this thread's CPU per step of the runtime.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { systemClock } from '../src/core/clock.ts';
import { FlowRegistry } from '../src/engine/flows/registry.ts';
import { FlowRuntime } from '../src/engine/flows/runtime.ts';
import { FIVE_STEPS, fiveStepFlow } from '../src/flows/samples/five-steps.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/store.ts';
import { createTestDatabase, postgresUnavailable } from '../test/support/stores.ts';
import { report, type BenchOptions } from './report.ts';

// Runs in flight (and, for the baseline, concurrent callers): group commit needs many writers.
const CONCURRENCY = 512;

/** Runs the benchmark. */
export default async function flows(options: BenchOptions): Promise<void> {
  const runs = options.quick ? 1500 : 8000;
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-bench-flows-'));
  try {
    const cases: Array<[string, () => Promise<{ store: Store; drop?: () => Promise<void> }>]> = [
      ['sqlite', async () => ({ store: await openStore({ kind: 'sqlite', sqlitePath: path.join(dir, 'flows.db') }) })],
    ];
    if ((await postgresUnavailable()) === undefined) {
      cases.push(['postgres', async () => {
        const db = await createTestDatabase();
        return { store: await openStore({ kind: 'postgres', sqlitePath: '', postgresUrl: db.url, poolSize: 10 }), drop: db.drop };
      }]);
    } else {
      process.stderr.write('flows: PostgreSQL is unreachable; the postgres case is skipped\n');
    }
    for (const [name, open] of cases) {
      const { store, drop } = await open();
      try {
        const baseline = await measureBaseline(store, options.quick ? 1.5 : 5);
        const ours = await measureRuntime(store, runs);
        report({
          bench: 'flows',
          case: name,
          metric: 'runs_per_s',
          value: ours.runsPerS,
          unit: 'runs/s',
          baseline: baseline,
          runs,
          steps_per_run: FIVE_STEPS.length,
          writes_per_step: Math.round(ours.writesPerStep * 1000) / 1000,
          commits_per_step: Math.round(ours.commitsPerStep * 1000) / 1000,
          cpu_us_per_step: Math.round(ours.cpuUsPerStep),
          baseline_writes_per_step: 1,
        });
      } finally {
        await store.close();
        await drop?.();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The five steps as plain calls, each followed by one durable insert, for `seconds` (a fixed time,
 * not a fixed count: at one commit per step the baseline is the slow side); resolves to runs/s.
 */
async function measureBaseline(store: Store, seconds: number): Promise<number> {
  await sql`CREATE TABLE bench_steps (run integer NOT NULL, step text NOT NULL, result text NOT NULL)`.execute(store.db);
  let next = 0;
  let done = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const run = next++;
        for (const [i, step] of FIVE_STEPS.entries()) {
          const result = JSON.stringify({ step, n: i + 1, effect: null });
          await sql`INSERT INTO bench_steps (run, step, result) VALUES (${run}, ${step}, ${result})`.execute(store.db);
        }
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

/** Starts `runs` runs and waits until all completed; resolves to runs/s and writes per step. */
async function measureRuntime(store: Store, runs: number): Promise<{ runsPerS: number; writesPerStep: number; commitsPerStep: number; cpuUsPerStep: number }> {
  const rt = new FlowRuntime({
    store,
    clock: systemClock,
    log: pino({ level: 'silent' }),
    registry: new FlowRegistry().register(fiveStepFlow({ name: 'bench' })),
    worker: 'bench',
    leaseMs: 60_000,
    pollMs: 20,
    concurrency: CONCURRENCY,
  });
  const started = performance.now();
  // This thread's CPU (starting, journaling, polling): steadier than runs/s on a shared machine.
  const cpu = process.threadCpuUsage();
  await rt.worker.start();
  await Promise.all(Array.from({ length: runs }, (_, i) => rt.start('bench', { key: `k-${i}` })));
  for (;;) {
    const { n } = (await store.db
      .selectFrom('flow_runs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'completed')
      .executeTakeFirstOrThrow()) as { n: number | string };
    if (Number(n) >= runs) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.threadCpuUsage(cpu);
  await rt.worker.stop();
  const steps = runs * FIVE_STEPS.length;
  const commits = rt.startCommits + rt.worker.claims + rt.worker.journal.commits;
  const writes = rt.startCommits + rt.worker.claims + rt.worker.journal.statements;
  return { runsPerS: runs / seconds, writesPerStep: writes / steps, commitsPerStep: commits / steps, cpuUsPerStep: (used.user + used.system) / steps };
}
