/**
 * The synchronous API: requests/s and p50/p99 of `POST /v1/accounts/validate` — authenticated
 * with an API key, 32 connections, both its downstream calls (a Salesforce SOQL query and a
 * NetSuite SuiteQL query, through the real connector clients) answered by a local stub — against
 * a bare route of the same framework returning a constant, measured in the same run. The account's
 * master data is within its freshness window for all but one request in five seconds, as for a
 * sales team quoting one account; `account-validation-no-cache` sends `Cache-Control: no-cache`,
 * so every request asks both systems (concurrent ones sharing a call). `order-status`
 * (`GET /v1/orders/:runId`: auth, a store read, the answer) shows the API's own cost without a
 * downstream.
 * Server and load generator (autocannon) share this process, as in the other benchmarks; the stub runs in its own.
 * Requests/s and latency swing with a shared machine's load; `cpu_us_per_req` (this process's CPU
 * time per request answered, server and load generator together, the least of the rounds) beside
 * the bare route's `baseline_cpu_us_per_req` swings much less, so compare those across runs.
 * `BENCH_CPU_PROF=<dir>` then profiles one more run of each case (outside the measured rounds) and
 * writes `<dir>/api-<case>.cpuprofile`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { buildServer } from '../src/api/server.ts';
import { systemClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { Engine } from '../src/engine/engine.ts';
import { FlowRegistry } from '../src/engine/flows/registry.ts';
import { defineFlow } from '../src/flows/define-flow.ts';
import { buildLeadToOrderDeps } from '../src/flows/lead-to-order/deps.ts';
import { ApiKeys } from '../src/security/api-keys.ts';
import { AuditLog } from '../src/security/audit-log.ts';
import { openStore } from '../src/store/open-store.ts';
import { silentLog } from '../test/support/engine-fixtures.ts';
import { STUB_ACCOUNT } from './support/api-stub.ts';
import { report, type BenchOptions } from './report.ts';
import { startThreadProfile } from './support/q2c-profile.ts';

/** Starts the stub downstream in a child process. */
async function startStub(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'support', 'api-stub.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const m = /ready (\d+)/.exec(chunk.toString());
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`the stub exited (${code})`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** This process's CPU time (server and load generator alike) per request answered, µs. */
  cpuUs: number;
}

async function load(url: string, seconds: number, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }): Promise<Load> {
  const cpu = process.cpuUsage();
  const result = await autocannon({ url, connections: 32, duration: seconds, method: init.method, headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }) });
  const used = process.cpuUsage(cpu);
  const errors = result.errors + result.timeouts + result.non2xx;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors, cpuUs: (used.user + used.system) / Math.max(1, result.requests.total) };
}

const ROUNDS = 3;

/** Rounds of one case as one figure: mean rate, mean p50, worst p99, all errors, least CPU per request (the least disturbed round). */
function merge(runs: readonly Load[]): Load {
  const mean = (f: (r: Load) => number) => runs.reduce((sum, r) => sum + f(r), 0) / runs.length;
  return {
    rps: mean((r) => r.rps),
    p50: Math.round(mean((r) => r.p50) * 10) / 10,
    p99: Math.max(...runs.map((r) => r.p99)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    cpuUs: Math.round(Math.min(...runs.map((r) => r.cpuUs)) * 10) / 10,
  };
}

/** Runs the benchmark. */
export default async function bench(options: BenchOptions): Promise<void> {
  const seconds = options.quick ? 3 : 15;
  const slice = Math.max(1, Math.round(seconds / ROUNDS));
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-bench-api-'));
  const stub = await startStub();
  const store = await openStore({ kind: 'sqlite', sqlitePath: path.join(dir, 'interlock.db') });
  const config = loadConfig({ values: { outbound: { allow: ['127.0.0.1'] }, admin: { rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } } }, env: {} });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const systems = await buildLeadToOrderDeps({
    salesforce: { loginUrl: stub.url, credentials: { kind: 'client-credentials', clientId: 'bench', clientSecret: 'bench' }, allow: ['127.0.0.1'] },
    netsuite: { baseUrl: stub.url, credentials: { clientId: 'bench', certificateId: 'bench', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }, allow: ['127.0.0.1'] },
    stripe: { secretKey: 'sk_test_bench', baseUrl: stub.url, allow: ['127.0.0.1'] },
    avalara: { accountId: '1', licenseKey: 'bench', baseUrl: stub.url, allow: ['127.0.0.1'] },
  });
  // A run to read back: the order-status case measures the API's own cost (auth, store read, answer) without a downstream.
  const flows = new FlowRegistry().register(defineFlow({ name: 'lead-to-order', version: 1, run: async () => null }));
  const engine = new Engine({ store, config, clock: systemClock, log: silentLog, flows });
  const app = await buildServer({ config, store, engine, log: silentLog, systems });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const apiUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const { runId } = await engine.flows.start('lead-to-order', { key: STUB_ACCOUNT.Id });
  const { key } = await new ApiKeys(store, new AuditLog(store, systemClock), systemClock).create({ role: 'viewer', label: 'bench', actor: 'bench' });

  const bare = Fastify();
  bare.get('/', async () => ({ ok: true }));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/`;

  try {
    const validate = { method: 'POST' as const, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ accountId: STUB_ACCOUNT.Id }) };
    const check = await fetch(`${apiUrl}/v1/accounts/validate`, validate);
    if (check.status !== 200) throw new Error(`account validation answered ${check.status}: ${await check.text()}`);
    const noCache = { ...validate, headers: { ...validate.headers, 'cache-control': 'no-cache' } };
    const status = { method: 'GET' as const, headers: { authorization: `Bearer ${key}` } };
    const cases = {
      base: { url: bareUrl, init: { method: 'GET' as const } },
      api: { url: `${apiUrl}/v1/accounts/validate`, init: validate },
      asked: { url: `${apiUrl}/v1/accounts/validate`, init: noCache },
      own: { url: `${apiUrl}/v1/orders/${runId}`, init: status },
    };
    // Warm each (JIT, connection pools), then measure in interleaved rounds, so that the load of a
    // shared machine changing during the run weighs on every case alike.
    for (const c of Object.values(cases)) await load(c.url, 1, c.init);
    const rounds: Record<keyof typeof cases, Load[]> = { base: [], api: [], asked: [], own: [] };
    for (let r = 0; r < ROUNDS; r++) for (const name of ['base', 'api', 'asked', 'own'] as const) rounds[name].push(await load(cases[name].url, slice, cases[name].init));
    const base = merge(rounds.base);
    const api = merge(rounds.api);
    const asked = merge(rounds.asked);
    const own = merge(rounds.own);
    const profileDir = process.env.BENCH_CPU_PROF;
    if (profileDir !== undefined) {
      mkdirSync(profileDir, { recursive: true });
      for (const name of ['base', 'api', 'asked', 'own'] as const) {
        const profile = await startThreadProfile();
        await load(cases[name].url, slice, cases[name].init);
        process.stderr.write(`CPU profile: ${await profile.stop(profileDir, `api-${name}`)}\n`);
      }
    }
    report({
      bench: 'api',
      case: 'account-validation',
      metric: 'requests_per_s',
      value: api.rps,
      unit: 'req/s',
      baseline: base.rps,
      p50_ms: api.p50,
      p99_ms: api.p99,
      baseline_p50_ms: base.p50,
      baseline_p99_ms: base.p99,
      cpu_us_per_req: api.cpuUs,
      baseline_cpu_us_per_req: base.cpuUs,
      errors: api.errors,
      connections: 32,
      seconds,
    });
    report({
      bench: 'api',
      case: 'account-validation-no-cache',
      metric: 'requests_per_s',
      value: asked.rps,
      unit: 'req/s',
      baseline: base.rps,
      p50_ms: asked.p50,
      p99_ms: asked.p99,
      cpu_us_per_req: asked.cpuUs,
      baseline_cpu_us_per_req: base.cpuUs,
      errors: asked.errors,
      connections: 32,
      seconds,
    });
    report({
      bench: 'api',
      case: 'order-status',
      metric: 'requests_per_s',
      value: own.rps,
      unit: 'req/s',
      baseline: base.rps,
      p50_ms: own.p50,
      p99_ms: own.p99,
      cpu_us_per_req: own.cpuUs,
      baseline_cpu_us_per_req: base.cpuUs,
      errors: own.errors,
      connections: 32,
      seconds,
    });
  } finally {
    await bare.close();
    await app.close();
    await engine.stop();
    await systems.close();
    await store.close();
    stub.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
