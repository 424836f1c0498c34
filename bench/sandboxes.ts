/**
 * `npm run bench -- sandboxes [--quick]`: requests/s at 32 connections (autocannon, in process)
 * for one representative call per sandbox — Stripe "create customer" with a fresh
 * Idempotency-Key per request, Avalara "SalesOrder estimate", Salesforce "SOQL page", NetSuite
 * "record create". Target: each sandbox ≥ 0.5× its baseline, so sandboxes are never the
 * bottleneck of another benchmark.
 *
 * Baselines, both measured in the same run, alternating with the sandbox, on a bare Fastify
 * server built with the sandboxes' own server options (`sandboxServerOptions()`):
 * - `baseline` (and `ratio`, `cpu_ratio`): a handler answering a constant of the same status,
 *   content type and body as the case's answer (one real answer of the sandbox, taken at start
 *   and sent as is on every request; `answer_bytes` gives its size). A sandbox answering a 3.5 kB
 *   body pays the serialisation-free cost of writing 3.5 kB however it is built; comparing it with a
 *   handler answering `{"ok":true}` measured payload bytes, not the sandbox.
 * - `baseline_tiny_constant` (and `ratio_vs_tiny_constant`, `cpu_ratio_vs_tiny_constant`): the
 *   former baseline, a handler answering `{"ok":true}`, kept so nothing is hidden.
 * Servers (sandboxes and baselines alike) run in a worker thread and autocannon in the main one,
 * so the load generator's own work is not charged to the server under test. Besides requests/s,
 * each line gives the server thread's CPU time per request (`server_us_per_request`), which load
 * on a shared machine skews less, and `cpu_ratio`, the baseline's CPU per request over the
 * sandbox's. Each sandbox is reset after its case, so the state one case piles up does not slow
 * the collector for the next. `--case <name>` measures only that case; `BENCH_CPU_PROF=<dir>`
 * profiles the server thread.
 *
 * Adding a sandbox's case is one entry in CASES: its factory, and the request autocannon should
 * repeat.
 */
import { once } from 'node:events';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { SignJWT, importPKCS8 } from 'jose';
import { avalaraSandbox } from '../src/sandboxes/avalara/avalara-sandbox.ts';
import { sandboxServerOptions, type SandboxFactory, type SandboxInstance } from '../src/sandboxes/kit/index.ts';
import { createNetSuiteSandbox } from '../src/sandboxes/netsuite/netsuite-sandbox.ts';
import { createSalesforceSandbox } from '../src/sandboxes/salesforce/salesforce-sandbox.ts';
import { stripeSandbox } from '../src/sandboxes/stripe/stripe-sandbox.ts';
import type { BenchOptions } from './report.ts';
import { report } from './report.ts';

/** One sandbox call to load. */
export interface SandboxCase {
  /** Case name in the result line (the sandbox's name). */
  name: string;
  /** The sandbox to start (seeded), in the server thread. */
  factory: SandboxFactory;
  /** The request to repeat; `setupRequest` may change each one (fresh keys). */
  request: autocannon.Request;
  /** Signs in against the started sandbox and returns headers to add (an access token). */
  login?: (url: string) => Promise<Record<string, string>>;
}

const CONNECTIONS = 32;
// Fresh Idempotency-Keys: unique per run and per request, cheap for the load generator to make.
const RUN = Date.now().toString(36);
let sequence = 0;

/** The cases, one per sandbox (exported for profiling scripts). */
export const CASES: SandboxCase[] = [
  {
    name: 'stripe',
    factory: stripeSandbox,
    request: {
      method: 'POST',
      path: '/v1/customers',
      headers: { authorization: 'Bearer sk_test_bench', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=bench%40example.com&name=Bench%20Customer&metadata%5Bcrm_id%5D=001B000000bench',
      // autocannon hands setupRequest a fresh copy (headers included) to change: no copies of our own,
      // since the load generator shares the machine with the server under test.
      setupRequest: (request) => {
        (request.headers ??= {})['idempotency-key'] = `bench-${RUN}-${++sequence}`;
        return request;
      },
    },
  },
  {
    name: 'avalara',
    factory: avalaraSandbox,
    request: {
      method: 'POST',
      path: '/api/v2/transactions/create',
      headers: {
        authorization: `Basic ${Buffer.from('2000123456:BENCHLICENSEKEY').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        type: 'SalesOrder',
        companyCode: 'DEFAULT',
        date: '2026-06-01',
        customerCode: 'BENCH',
        addresses: {
          shipFrom: { line1: '100 Ravine Lane NE', city: 'Bainbridge Island', region: 'WA', country: 'US', postalCode: '98110' },
          shipTo: { line1: '200 N Spring St', city: 'Los Angeles', region: 'CA', country: 'US', postalCode: '90012' },
        },
        lines: [
          { number: '1', quantity: 2, amount: 199.98, taxCode: 'P0000000', itemCode: 'WIDGET' },
          { number: '2', quantity: 1, amount: 499, taxCode: 'SW054000', itemCode: 'SAAS' },
        ],
      }),
    },
  },
  {
    // A connector's typical read: open opportunities with account fields and their line items.
    // The daily API allowance is raised so a long run measures the sandbox, not its 403s.
    name: 'salesforce',
    factory: createSalesforceSandbox({ dailyApiLimit: 1_000_000_000 }),
    request: {
      method: 'GET',
      path: `/services/data/v61.0/query?q=${encodeURIComponent(
        'SELECT Id, Name, StageName, Amount, Account.Name, Account.BillingCountry, (SELECT Id, Quantity, UnitPrice, Product2Id FROM OpportunityLineItems) FROM Opportunity WHERE IsClosed = false ORDER BY Name',
      )}`,
    },
    login: async (url) => {
      const res = await fetch(`${url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=interlock-sandbox-client&client_secret=interlock-sandbox-secret',
      });
      return { authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}` };
    },
  },
  {
    // Customer create, each with its own entity id. NetSuite's account concurrency limit (5)
    // would refuse most of 32 connections, so it is raised to measure the sandbox itself.
    name: 'netsuite',
    factory: createNetSuiteSandbox({ concurrencyLimit: 1000 }),
    request: {
      method: 'POST',
      path: '/services/rest/record/v1/customer',
      headers: { 'content-type': 'application/json' },
      setupRequest: (request) => {
        request.body = `{"entityId":"BENCH-${RUN}-${++sequence}","companyName":"Bench Customer","email":"ap@bench.example","subsidiary":{"id":"1"}}`;
        return request;
      },
    },
    login: async (url) => {
      // The sandbox made its own M2M key pair; its admin state hands out the private key.
      const state = (await (await fetch(`${url}/__sandbox/state`)).json()) as { m2m: { clientId: string; certificateId: string; privateKeyPem: string } };
      const now = Math.floor(Date.now() / 1000);
      const assertion = await new SignJWT({ scope: ['rest_webservices'] })
        .setProtectedHeader({ alg: 'ES256', kid: state.m2m.certificateId })
        .setIssuer(state.m2m.clientId)
        .setAudience(`${url}/services/rest/auth/oauth2/v1/token`)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(await importPKCS8(state.m2m.privateKeyPem, 'ES256'));
      const res = await fetch(`${url}/services/rest/auth/oauth2/v1/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
      });
      return { authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}` };
    },
  },
];

interface Measured {
  rate: number;
  p50: number;
  p99: number;
  failures: number;
  /** CPU time of the server thread per request, in microseconds. */
  serverUs: number;
}

// autocannon ticks once a second, so one second is the shortest run it can make.
async function measure(server: Server, request: autocannon.Request, seconds: number): Promise<Measured> {
  const before = await server.cpuMs();
  const result = await autocannon({ url: server.url, connections: CONNECTIONS, duration: seconds, requests: [request] });
  const busy = (await server.cpuMs()) - before;
  const total = result.requests.total;
  return {
    rate: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    serverUs: total > 0 ? (busy * 1000) / total : 0,
  };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Runs the benchmark. */
export default async function run(options: BenchOptions): Promise<void> {
  // On a shared machine, load from other processes comes and goes: each case alternates runs
  // with the baselines and reports the medians. Quick (about 18 s in all): one second of warm-up
  // per sandbox, as the baseline server gets one, then one round of one second per side; without
  // it the sandbox's figure included its JIT warm-up and the baseline's did not.
  const rounds = options.quick ? 1 : 3;
  const size = options.quick ? 1 : 3;
  const warmup = options.quick ? 1 : 2;
  const bareRequest = (path: string): autocannon.Request => ({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: '{}' });
  const tinyRequest = bareRequest(TINY_PATH);

  await withServers(async (servers) => {
    const bare = servers(BARE);
    await measure(bare, tinyRequest, 1);
    // `--case <name>` (repeatable) measures only those cases.
    const only = options.args.flatMap((arg, i) => (options.args[i - 1] === '--case' ? [arg] : []));
    for (const c of CASES.filter((k) => only.length === 0 || only.includes(k.name))) {
      const sandbox = servers(c.name);
      const sizedRequest = bareRequest(sizedPath(c.name));
      const runs = await (async () => {
        const login = c.login === undefined ? {} : await c.login(sandbox.url);
        const request: autocannon.Request = { ...c.request, headers: { ...c.request.headers, ...login } };
        if (warmup > 0) await measure(sandbox, request, warmup);
        const out: { tiny: Measured; sized: Measured; got: Measured }[] = [];
        for (let i = 0; i < rounds; i++) {
          out.push({
            tiny: await measure(bare, tinyRequest, size),
            sized: await measure(bare, sizedRequest, size),
            got: await measure(sandbox, request, size),
          });
        }
        // The servers share one heap: a case that piles up state (Stripe keeps every customer, event
        // and idempotent answer it made) would make the collector slower for every case after it.
        await fetch(`${sandbox.url}/__sandbox/reset`, { method: 'POST' });
        return out;
      })();
      const pick = (side: 'tiny' | 'sized' | 'got', field: keyof Measured): number => median(runs.map((r) => r[side][field]));
      const cpuRatio = (side: 'tiny' | 'sized'): number => Math.round((pick(side, 'serverUs') / pick('got', 'serverUs')) * 100) / 100;
      report({
        bench: 'sandboxes',
        case: c.name,
        metric: 'requests_per_s',
        value: pick('got', 'rate'),
        unit: 'req/s',
        baseline: pick('sized', 'rate'),
        answer_bytes: bare.answerBytes(c.name),
        p50_ms: pick('got', 'p50'),
        p99_ms: pick('got', 'p99'),
        baseline_p50_ms: pick('sized', 'p50'),
        baseline_p99_ms: pick('sized', 'p99'),
        server_us_per_request: Math.round(pick('got', 'serverUs')),
        baseline_server_us_per_request: Math.round(pick('sized', 'serverUs')),
        // The same comparison by the server thread's CPU per request: on a shared machine the
        // load generator (which works harder for some cases: fresh keys, larger answers) and
        // other processes move requests/s, much less this.
        cpu_ratio: cpuRatio('sized'),
        // The former baseline, a handler answering {"ok":true}: also counts the answer's size.
        baseline_tiny_constant: Math.round(pick('tiny', 'rate')),
        ratio_vs_tiny_constant: Math.round((pick('got', 'rate') / pick('tiny', 'rate')) * 100) / 100,
        tiny_constant_server_us_per_request: Math.round(pick('tiny', 'serverUs')),
        cpu_ratio_vs_tiny_constant: cpuRatio('tiny'),
        failed_requests: runs.reduce((sum, r) => sum + r.got.failures, 0),
        connections: CONNECTIONS,
        rounds,
      });
    }
  });
}

const BARE = 'bare-handler';
const TINY_PATH = '/constant';
const sizedPath = (name: string): string => `/constant/${name}`;

/** A server running in the server thread. */
interface Server {
  url: string;
  /**
   * CPU milliseconds the server thread has used so far. Unlike its event loop's busy time, this
   * does not count the time other processes on a shared machine held the core.
   */
  cpuMs(): Promise<number>;
  /** Size in bytes of the constant the bare handler answers in place of this case's answer. */
  answerBytes(name: string): number;
}

/** One real answer of a case, which the bare handler then answers as a constant. */
interface SampleAnswer {
  status: number;
  contentType: string | null;
  body: string;
}

// Starts the bare handler and every sandbox in one worker thread (one start-up for all; only the
// server under load is busy at a time), runs `load`, then stops them.
async function withServers<T>(load: (server: (name: string) => Server) => Promise<T>): Promise<T> {
  // BENCH_CPU_PROF=<dir> writes a CPU profile of the server thread, for finding hot spots.
  const dir = process.env.BENCH_CPU_PROF;
  const execArgv = dir === undefined ? undefined : [...process.execArgv, '--cpu-prof', '--cpu-prof-dir', dir];
  const worker = new Worker(new URL(import.meta.url), { workerData: { serve: true }, execArgv });
  try {
    const [{ urls, answers }] = (await once(worker, 'message')) as [{ urls: Record<string, string>; answers: Record<string, SampleAnswer> }];
    const cpuMs = async (): Promise<number> => {
      worker.postMessage('cpu');
      const [answer] = (await once(worker, 'message')) as [{ cpuMs: number }];
      return answer.cpuMs;
    };
    const answerBytes = (name: string): number => Buffer.byteLength(answers[name]?.body ?? '');
    return await load((name) => ({ url: urls[name] ?? '', cpuMs, answerBytes }));
  } finally {
    worker.postMessage('close');
    await once(worker, 'exit');
  }
}

// The server thread: the sandboxes and the bare handler, answering "cpu" probes until "close".
async function serve(): Promise<void> {
  const urls: Record<string, string> = {};
  const answers: Record<string, SampleAnswer> = {};
  const sandboxes: SandboxInstance[] = [];
  for (const c of CASES) {
    const sandbox = await c.factory.start({ seed: true });
    sandboxes.push(sandbox);
    urls[c.name] = sandbox.url;
    answers[c.name] = await sampleAnswer(c, sandbox.url);
    // The sample's state (a Stripe customer, a NetSuite record) goes, as after a case.
    await fetch(`${sandbox.url}/__sandbox/reset`, { method: 'POST' });
  }
  // Built as the sandboxes' servers are; each constant is made once, before the first request.
  const bare = Fastify(sandboxServerOptions());
  bare.post(TINY_PATH, async () => ({ ok: true }));
  for (const [name, answer] of Object.entries(answers)) {
    const { status, contentType, body } = answer;
    bare.post(sizedPath(name), (_request, reply) => {
      reply.code(status);
      if (contentType !== null) reply.header('content-type', contentType);
      reply.send(status === 204 ? undefined : body);
    });
  }
  urls[BARE] = await bare.listen({ host: '127.0.0.1', port: 0 });
  parentPort?.on('message', (message) => {
    if (message === 'cpu') {
      const used = process.threadCpuUsage();
      parentPort?.postMessage({ cpuMs: (used.user + used.system) / 1000 });
    }
    else void Promise.all([bare.close(), ...sandboxes.map((s) => s.close())]).then(() => parentPort?.close());
  });
  parentPort?.postMessage({ urls, answers });
}

// One answer of the case's request, as autocannon would send it (signed in, fresh keys).
async function sampleAnswer(c: SandboxCase, url: string): Promise<SampleAnswer> {
  const login = c.login === undefined ? {} : await c.login(url);
  let request: autocannon.Request = { ...c.request, headers: { ...c.request.headers, ...login } };
  const setup = c.request.setupRequest;
  if (typeof setup === 'function') request = setup(request, {});
  const res = await fetch(`${url}${request.path ?? '/'}`, {
    method: request.method ?? 'GET',
    headers: request.headers as Record<string, string>,
    body: request.body as string | undefined,
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`sandboxes bench: the ${c.name} case's request got ${res.status}: ${body}`);
  return { status: res.status, contentType: res.headers.get('content-type'), body };
}

if (!isMainThread && (workerData as { serve?: unknown } | null)?.serve === true) await serve();
