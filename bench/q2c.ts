/**
 * `npm run bench -- q2c [--quick] [--runs N] [--case sqlite|postgres] [--story manufacturer]`: closed-won opportunities per second through the
 * whole lead-to-order flow against the four seeded sandboxes (zero added latency), on SQLite and
 * PostgreSQL, with the latency of each stage and end to end.
 *
 * The sandboxes run in a worker thread (support/q2c-sandboxes.ts), reset to their seed before each
 * case. Per case, untimed: N deals made and set Closed Won in Salesforce (support/q2c-deals.ts),
 * with no CDC subscriber running. Timed: an engine opened as `interlock start` opens it (the
 * built-in flows over the four connectors) receives one `opportunity.closed-won` event per deal,
 * as the CDC trigger would feed them, until every run has ended; each must have booked
 * (support/q2c-engine.ts). Baseline in the same run: the flow's step functions called one after
 * another, deal after deal, with no engine (support/q2c-baseline.ts), before and after the cases.
 *
 * Extra fields: `stage_p50_ms`/`stage_p99_ms` per step (previous step's end → its end, so a
 * stage includes the journal commit it waited on), end-to-end `p50_ms`/`p99_ms` (event handed to
 * the inbox → run ended), vendor calls, response kilobytes and connections per opportunity
 * (counted on undici's diagnostics channels), and CPU milliseconds per opportunity of this thread
 * and of the sandbox thread — the steadier figures on a shared machine. 150 deals (`--quick`) or
 * 1,000 per case; the baseline books 30 or 200 (`baseline_cpu_ms_per_opportunity` is its CPU). `stripe_customers_made` counts the Stripe customers
 * tied to an account after the case: the four accounts should have one each. The flow worker's
 * store writes per opportunity: `journal_commits_per_opportunity` (transactions),
 * `journal_statements_per_opportunity` and `claims_per_opportunity`.
 *
 * `BENCH_CPU_PROF=<dir>` writes CPU profiles of the timed part: `q2c-<case>-engine.cpuprofile`
 * (this thread) and `q2c-<case>-sandboxes.cpuprofile` (the sandbox thread).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openRuntime } from '../src/cli/runtime.ts';
import type { StripeClient } from '../src/connectors/stripe/client.ts';
import type { StripeCustomer } from '../src/connectors/stripe/types.ts';
import { loadConfig } from '../src/core/config.ts';
import { openStorySystems } from '../src/flows/story.ts';
import { createTestDatabase, postgresUnavailable } from '../test/support/stores.ts';
import { report, round, type BenchOptions } from './report.ts';
import { measureBaseline } from './support/q2c-baseline.ts';
import { countVendorCalls, createClosedWonDeals } from './support/q2c-deals.ts';
import { measureEngine } from './support/q2c-engine.ts';
import { startThreadProfile } from './support/q2c-profile.ts';
import { startSandboxThread, type SandboxThread } from './support/q2c-sandboxes.ts';

// The flow worker's default: runs executing at once in one process.
const CONCURRENCY = 256;
const WARM_UP = 10;

type StoreCase = [name: string, open: () => Promise<{ store: unknown; drop?: () => Promise<void> }>];

/** Runs the benchmark. */
export default async function q2c(options: BenchOptions): Promise<void> {
  const story = options.args[options.args.indexOf('--story') + 1];
  if (options.args.includes('--story') && story === 'manufacturer') return (await import('./support/q2c-manufacturer.ts')).default(options);
  if (options.args.includes('--story') && story !== 'first') throw new Error(`q2c: --story must be first or manufacturer, got ${String(story)}`);
  const given = Number(options.args[options.args.indexOf('--runs') + 1]);
  const runs = options.args.includes('--runs') && Number.isInteger(given) && given > 0 ? given : options.quick ? 150 : 1000;
  const baselineDeals = options.quick ? 30 : 200;
  const profileDir = process.env.BENCH_CPU_PROF;
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-bench-q2c-'));
  const sandboxes = await startSandboxThread();
  try {
    const values = await configValues(sandboxes);
    // Load from other processes drifts during a run: the baseline is measured before and after
    // the cases, and their mean is the figure each case is compared with.
    const before = await runBaseline(values, sandboxes, baselineDeals);
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
    const only = options.args[options.args.indexOf('--case') + 1];
    for (const [name, open] of cases.filter(([n]) => !options.args.includes('--case') || n === only)) {
      await sandboxes.reset();
      const { store, drop } = await open();
      const rt = await openRuntime({ values: { ...values, store } });
      try {
        const ids = await createClosedWonDeals(rt.systems!.salesforce, runs, `q2c ${name}`);
        const calls = countVendorCalls(sandboxes.urls);
        const cpu = { engine: process.threadCpuUsage(), sandboxes: await sandboxes.cpuMs() };
        const { worker } = rt.engine.flows;
        const writes = { commits: worker.journal.commits, statements: worker.journal.statements, claims: worker.claims };
        const profile = profileDir === undefined ? undefined : await startThreadProfile();
        if (profileDir !== undefined) await sandboxes.startProfile();
        const m = await measureEngine(rt, ids, `q2c-${name}-${Date.now()}`);
        if (profileDir !== undefined) {
          await profile?.stop(profileDir, `q2c-${name}-engine`);
          await sandboxes.stopProfile(profileDir, `q2c-${name}-sandboxes`);
        }
        const engineCpu = process.threadCpuUsage(cpu.engine);
        const sandboxCpuMs = (await sandboxes.cpuMs()) - cpu.sandboxes;
        const traffic = calls.stop();
        const stripeCustomers = await countStripeCustomers(rt.systems!.stripe);
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
            stage_p50_ms: m.stageP50Ms,
            stage_p99_ms: m.stageP99Ms,
            step_retries: m.stepRetries,
            vendor_calls_per_opportunity: round(total / runs),
            vendor_calls: perOpportunity(traffic.calls, runs),
            vendor_response_kb: perOpportunity(traffic.kb, runs),
            connections_opened: traffic.connections,
            stripe_customers_made: stripeCustomers,
            engine_cpu_ms_per_opportunity: round((engineCpu.user + engineCpu.system) / 1000 / runs),
            // The flow worker's store writes: journal transactions and their statements, claims.
            journal_commits_per_opportunity: round((worker.journal.commits - writes.commits) / runs),
            journal_statements_per_opportunity: round((worker.journal.statements - writes.statements) / runs),
            claims_per_opportunity: round((worker.claims - writes.claims) / runs),
            sandbox_cpu_ms_per_opportunity: round(sandboxCpuMs / runs),
          },
        });
      } finally {
        await rt.close();
        await drop?.();
      }
    }
    const after = await runBaseline(values, sandboxes, baselineDeals);
    for (const r of results) {
      report({
        bench: 'q2c',
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
    await sandboxes.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The deals booked by hand on freshly reset sandboxes: opportunities/s, vendor calls and CPU ms per deal. */
async function runBaseline(values: Record<string, unknown>, sandboxes: SandboxThread, deals: number): Promise<{ perS: number; callsPerOpportunity: number; cpuMs: number }> {
  await sandboxes.reset();
  const systems = await openStorySystems(loadConfig({ values }));
  if (systems === undefined) throw new Error('q2c: the connectors did not configure the story');
  try {
    // The first deals warm the code up (JIT, connections, tokens) and are not counted.
    const all = await createClosedWonDeals(systems.salesforce, WARM_UP + deals, 'q2c baseline');
    await measureBaseline(systems, all.slice(0, WARM_UP));
    const ids = all.slice(WARM_UP);
    const calls = countVendorCalls(sandboxes.urls);
    const cpu = process.threadCpuUsage();
    const perS = await measureBaseline(systems, ids);
    const used = process.threadCpuUsage(cpu);
    const total = Object.values(calls.stop().calls).reduce((a, b) => a + b, 0);
    return { perS, callsPerOpportunity: round(total / deals), cpuMs: (used.user + used.system) / 1000 / deals };
  } finally {
    await systems.close();
  }
}

/** Configuration of the four sandboxes as the story's connectors, with no CDC subscriber. */
async function configValues(sandboxes: SandboxThread): Promise<Record<string, unknown>> {
  const { salesforce, netsuite, stripe, avalara } = sandboxes.urls;
  const state = (await (await fetch(`${netsuite}/__sandbox/state`)).json()) as { m2m: { clientId: string; certificateId: string; privateKeyPem: string } };
  return {
    log: { level: 'error' },
    outbound: { allow: ['127.0.0.1'] },
    connectors: {
      salesforce: { loginUrl: salesforce, clientId: 'interlock-sandbox-client', clientSecret: 'interlock-sandbox-secret', changeDataCapture: { enabled: false } },
      netsuite: { baseUrl: netsuite, clientId: state.m2m.clientId, certificateId: state.m2m.certificateId, privateKey: state.m2m.privateKeyPem },
      stripe: { secretKey: 'sk_test_q2c_bench', baseUrl: stripe },
      avalara: { accountId: '2001', licenseKey: 'q2c-bench-license', baseUrl: avalara },
    },
  };
}

/** Stripe customers tied to a Salesforce account (the seed's two are not): one per account is right. */
async function countStripeCustomers(stripe: StripeClient): Promise<number> {
  let n = 0;
  for await (const c of stripe.list<StripeCustomer>('customers')) if (c.metadata['salesforce_account_id'] !== undefined) n += 1;
  return n;
}

function perOpportunity(counts: Record<string, number>, runs: number): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([name, n]) => [name, round(n / runs)]));
}
