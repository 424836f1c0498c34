/**
 * The q2c benchmark's harness, one for both stories: the sandbox thread, the store cases (SQLite,
 * and PostgreSQL when it answers), the same-run baseline before and after the cases, the timed
 * engine measurement, the counts and CPU figures, and the result lines. A story (q2c-first.ts,
 * q2c-manufacturer.ts) supplies only what differs: its sandboxes and connector configuration, how
 * its deals are made, how one is booked by hand, and what it checks after a case.
 *
 * A run that cannot finish fails loudly instead of hanging: the whole benchmark has a deadline
 * (`--timeout <seconds>`; 10 minutes, or 30 without `--quick`) and each timed part one of its own
 * (measureEngine's), and either one ends the run with a non-zero exit and a message that names
 * where it was stuck (and, in the timed part, the runs still active and where each waits).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openRuntime, type Runtime } from '../../src/cli/runtime.ts';
import { createTestDatabase, postgresUnavailable } from '../../test/support/stores.ts';
import { report, round, type BenchOptions } from '../report.ts';
import { countVendorCalls } from './q2c-deals.ts';
import { measureEngine, type EngineTarget } from './q2c-engine.ts';
import { startThreadProfile } from './q2c-profile.ts';
import { startSandboxThread, type SandboxThread } from './q2c-sandboxes.ts';

/** What a story supplies to the harness. */
export interface Q2cStory {
  /** The story's name: the sandbox set it runs on, and the `story` field of its lines (but the first's). */
  name: 'first' | 'manufacturer';
  /** The flow measured and the source its won-deal events come from. */
  target: EngineTarget;
  /** Connector configuration of the story's sandboxes (no change-data subscriber: the bench feeds the events). */
  configValues(sandboxes: SandboxThread): Promise<Record<string, unknown>>;
  /** Makes `n` won deals, untimed, through the runtime's connectors; resolves to their ids. */
  makeDeals(rt: Runtime, n: number, tag: string): Promise<string[]>;
  /** Fields checked after a case (e.g. one Stripe customer per account), in its result line. */
  outcome(rt: Runtime, runs: number): Promise<Record<string, unknown>>;
  /** The story's connectors without an engine, for the baseline: makes deals and books one by hand. */
  openBaseline(values: Record<string, unknown>): Promise<BaselineSystems>;
}

/** The baseline's view of a story: deals made and booked one after another, with no engine. */
export interface BaselineSystems {
  makeDeals(n: number, tag: string): Promise<string[]>;
  /** Books one deal with the flow's own calls, one after another; throws when it cannot. */
  book(id: string): Promise<void>;
  close(): Promise<void>;
}

// The flow worker's default: runs executing at once in one process.
const CONCURRENCY = 256;
// The first deals of a baseline warm the code up (JIT, connections, tokens) and are not counted.
const WARM_UP = 10;

type StoreCase = [name: string, open: () => Promise<{ store: unknown; drop?: () => Promise<void> }>];

/** Runs the q2c benchmark of `story`, within its deadline. */
export async function runQ2c(story: Q2cStory, options: BenchOptions): Promise<void> {
  const given = Number(argument(options, '--timeout'));
  const limitS = Number.isFinite(given) && given > 0 ? given : options.quick ? 600 : 1800;
  const phase = { now: 'starting' };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`q2c${story.name === 'first' ? '' : ` --story ${story.name}`}: no result after ${limitS} s (--timeout); stuck in: ${phase.now}`)), limitS * 1000);
  });
  try {
    await Promise.race([measureStory(story, options, phase), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function measureStory(story: Q2cStory, options: BenchOptions, phase: { now: string }): Promise<void> {
  const given = Number(argument(options, '--runs'));
  const runs = Number.isInteger(given) && given > 0 ? given : options.quick ? 150 : 1000;
  const baselineDeals = options.quick ? 30 : 200;
  const profileDir = process.env.BENCH_CPU_PROF;
  const prefix = story.name === 'first' ? 'q2c' : `q2c-${story.name}`;
  const dir = mkdtempSync(path.join(tmpdir(), `interlock-bench-${prefix}-`));
  phase.now = 'starting the sandbox thread';
  const sandboxes = await startSandboxThread(story.name);
  try {
    const values = await story.configValues(sandboxes);
    // Load from other processes drifts during a run: the baseline is measured before and after
    // the cases, and their mean is the figure each case is compared with.
    phase.now = 'the baseline before the cases';
    const before = await runBaseline(story, values, sandboxes, baselineDeals);
    const results: Array<{ name: string; fields: Record<string, unknown>; perS: number }> = [];
    const cases: StoreCase[] = [['sqlite', async () => ({ store: { kind: 'sqlite', sqlite: { path: path.join(dir, 'q2c.db') } } })]];
    if ((await postgresUnavailable()) === undefined) {
      cases.push(['postgres', async () => {
        const db = await createTestDatabase();
        return { store: { kind: 'postgres', postgres: { url: db.url, poolSize: 10 } }, drop: db.drop };
      }]);
    } else {
      process.stderr.write('q2c: PostgreSQL is unreachable; the postgres case is skipped\n');
    }
    const only = argument(options, '--case');
    for (const [name, open] of cases.filter(([n]) => only === undefined || n === only)) {
      phase.now = `the ${name} case: set-up`;
      await sandboxes.reset();
      const { store, drop } = await open();
      const rt = await openRuntime({ values: { ...values, store } });
      try {
        const ids = await story.makeDeals(rt, runs, `q2c ${name}`);
        const calls = countVendorCalls(sandboxes.urls);
        const cpu = { engine: process.threadCpuUsage(), sandboxes: await sandboxes.cpuMs() };
        const { worker } = rt.engine.flows;
        const writes = { commits: worker.journal.commits, statements: worker.journal.statements, claims: worker.claims };
        const profile = profileDir === undefined ? undefined : await startThreadProfile();
        if (profileDir !== undefined) await sandboxes.startProfile();
        phase.now = `the ${name} case: ${runs} runs`;
        const m = await measureEngine(rt, ids, `${prefix}-${name}-${Date.now()}`, story.target);
        if (profileDir !== undefined) {
          await profile?.stop(profileDir, `${prefix}-${name}-engine`);
          await sandboxes.stopProfile(profileDir, `${prefix}-${name}-sandboxes`);
        }
        const engineCpu = process.threadCpuUsage(cpu.engine);
        const sandboxCpuMs = (await sandboxes.cpuMs()) - cpu.sandboxes;
        const traffic = calls.stop();
        phase.now = `the ${name} case: checks`;
        const outcome = await story.outcome(rt, runs);
        const total = Object.values(traffic.calls).reduce((a, b) => a + b, 0);
        results.push({
          name,
          perS: m.opportunitiesPerS,
          fields: {
            runs,
            concurrency: CONCURRENCY,
            seconds: round(m.seconds),
            p50_ms: m.p50Ms,
            p99_ms: m.p99Ms,
            start_p50_ms: m.startP50Ms,
            start_p99_ms: m.startP99Ms,
            stage_p50_ms: m.stageP50Ms,
            stage_p99_ms: m.stageP99Ms,
            step_retries: m.stepRetries,
            vendor_calls_per_opportunity: round(total / runs),
            vendor_calls: perOpportunity(traffic.calls, runs),
            vendor_response_kb: perOpportunity(traffic.kb, runs),
            connections_opened: traffic.connections,
            ...outcome,
            engine_cpu_ms_per_opportunity: round((engineCpu.user + engineCpu.system) / 1000 / runs),
            // The flow worker's store writes: journal transactions and their statements, claims.
            journal_commits_per_opportunity: round((worker.journal.commits - writes.commits) / runs),
            journal_statements_per_opportunity: round((worker.journal.statements - writes.statements) / runs),
            claims_per_opportunity: round((worker.claims - writes.claims) / runs),
            sandbox_cpu_ms_per_opportunity: round(sandboxCpuMs / runs),
          },
        });
      } finally {
        phase.now = `the ${name} case: closing`;
        await rt.close();
        await drop?.();
      }
    }
    phase.now = 'the baseline after the cases';
    const after = await runBaseline(story, values, sandboxes, baselineDeals);
    for (const r of results) {
      report({
        bench: 'q2c',
        ...(story.name === 'first' ? {} : { story: story.name }),
        case: r.name,
        metric: 'opportunities_per_s',
        value: r.perS,
        unit: 'opportunities/s',
        baseline: (before.perS + after.perS) / 2,
        ...r.fields,
        baseline_runs: baselineDeals,
        baseline_before_after: [round(before.perS), round(after.perS)],
        baseline_vendor_calls_per_opportunity: before.callsPerOpportunity,
        baseline_cpu_ms_per_opportunity: round((before.cpuMs + after.cpuMs) / 2),
      });
    }
  } finally {
    phase.now = 'closing the sandbox thread';
    await sandboxes.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The deals booked by hand on freshly reset sandboxes: opportunities/s, vendor calls and CPU ms per deal. */
async function runBaseline(story: Q2cStory, values: Record<string, unknown>, sandboxes: SandboxThread, deals: number): Promise<{ perS: number; callsPerOpportunity: number; cpuMs: number }> {
  await sandboxes.reset();
  const systems = await story.openBaseline(values);
  try {
    const all = await systems.makeDeals(WARM_UP + deals, 'q2c baseline');
    for (const id of all.slice(0, WARM_UP)) await systems.book(id);
    const ids = all.slice(WARM_UP);
    const calls = countVendorCalls(sandboxes.urls);
    const cpu = process.threadCpuUsage();
    const started = performance.now();
    for (const id of ids) await systems.book(id);
    const perS = ids.length / ((performance.now() - started) / 1000);
    const used = process.threadCpuUsage(cpu);
    const total = Object.values(calls.stop().calls).reduce((a, b) => a + b, 0);
    return { perS, callsPerOpportunity: round(total / deals), cpuMs: (used.user + used.system) / 1000 / deals };
  } finally {
    await systems.close();
  }
}

/** The value after `flag` in the arguments, if the flag is given. */
export function argument(options: BenchOptions, flag: string): string | undefined {
  const i = options.args.indexOf(flag);
  return i < 0 ? undefined : options.args[i + 1];
}

function perOpportunity(counts: Record<string, number>, runs: number): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([name, n]) => [name, round(n / runs)]));
}
