/**
 * `npm run bench -- pipeline`: events/s and end-to-end latency of webhook in → durable inbox →
 * transform → outbox → delivered to a local sink and marked delivered, at 32 connections, on
 * SQLite and PostgreSQL. Interlock runs as its own process (`interlock start`), the load
 * generator (support/webhook-load.ts: undici, one request in flight per connection) and the sink
 * in this one. Baseline in the same run: a hand-written
 * server with one durable insert per event and no engine (see support/baseline-server.ts).
 * A full run alternates baseline and cases over 3 rounds of 5 s and reports medians (with each
 * round's figures); `--quick` is one round of 3 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startSink, type Sink } from '../src/sandboxes/sink/sink.ts';
import { createTestDatabase, postgresUnavailable } from '../test/support/stores.ts';
import { percentile, report, type BenchOptions } from './report.ts';
import { driveWebhooks } from './support/webhook-load.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** One measured run. */
export interface Run {
  eventsPerS: number;
  p50: number;
  p99: number;
  accepted: number;
  delivered: number;
  /** CPU time (user + system) of the server process per delivered event, from load start to drained. */
  cpuUsPerEvent: number;
  /** CPU time of this (bench) process — load generator and sink — per delivered event, over the same span. */
  loadgenCpuUsPerEvent: number;
}

/** Runs the benchmark. */
export default async function pipeline(options: BenchOptions): Promise<void> {
  // The machine's speed swings by tens of percent from one minute to the next, so a full run
  // alternates the baseline and the cases over several rounds and reports each figure's median:
  // one slow minute no longer decides a ratio. BENCH_PIPELINE_ROUNDS overrides the count.
  const seconds = options.quick ? 3 : 5;
  const rounds = Math.max(1, Number(process.env.BENCH_PIPELINE_ROUNDS ?? (options.quick ? 1 : 3)) || 1);
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-bench-'));
  try {
    const stores: Array<[string, (round: number) => Promise<{ store: unknown; drop?: () => Promise<void> }>]> = [
      ['sqlite', async (round) => ({ store: { kind: 'sqlite', sqlite: { path: path.join(dir, `interlock-${round}.db`) } } })],
    ];
    // `pipeline sqlite` or `pipeline postgres` runs one case (with the baseline); both by default.
    const only = options.args.find((a) => a === 'sqlite' || a === 'postgres');
    if (only === 'postgres') stores.length = 0;
    if (only === 'sqlite') {
      // PostgreSQL is not wanted in this run.
    } else if ((await postgresUnavailable()) === undefined) {
      stores.push([
        'postgres',
        async () => {
          const db = await createTestDatabase();
          return { store: { kind: 'postgres', postgres: { url: db.url, poolSize: 8 } }, drop: db.drop };
        },
      ]);
    } else {
      process.stderr.write('pipeline: PostgreSQL is unreachable; the postgres case is skipped\n');
    }
    const baselines: Run[] = [];
    const runs = new Map<string, Run[]>(stores.map(([name]) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      baselines.push(
        await measure(seconds, async (sink, port) =>
          spawnReady(process.execPath, [path.join(ROOT, 'bench/support/baseline-server.ts'), String(port), path.join(dir, `baseline-${round}.db`), `${sink.url}/ok`], `http://127.0.0.1:${port}/`),
        ),
      );
      for (const [name, open] of stores) {
        const { store, drop } = await open(round);
        try {
          runs.get(name)!.push(await measure(seconds, (sink, port) => startInterlock(dir, name, store, sink, port)));
        } finally {
          await drop?.();
        }
      }
    }
    const baseline = medianRun(baselines);
    for (const [name] of stores) {
      const caseRuns = runs.get(name)!;
      const run = medianRun(caseRuns);
      report({
        bench: 'pipeline',
        case: name,
        metric: 'events_per_s',
        value: run.eventsPerS,
        unit: 'events/s',
        baseline: baseline.eventsPerS,
        p50_ms: run.p50,
        p99_ms: run.p99,
        baseline_p50_ms: baseline.p50,
        baseline_p99_ms: baseline.p99,
        cpu_us_per_event: run.cpuUsPerEvent,
        baseline_cpu_us_per_event: baseline.cpuUsPerEvent,
        loadgen_cpu_us_per_event: run.loadgenCpuUsPerEvent,
        baseline_loadgen_cpu_us_per_event: baseline.loadgenCpuUsPerEvent,
        accepted: run.accepted,
        delivered: run.delivered,
        connections: 32,
        seconds,
        rounds,
        ...(rounds > 1
          ? {
              rounds_events_per_s: caseRuns.map((r) => Math.round(r.eventsPerS)),
              rounds_baseline_events_per_s: baselines.map((r) => Math.round(r.eventsPerS)),
              rounds_ratio: caseRuns.map((r, i) => Math.round((r.eventsPerS / baselines[i]!.eventsPerS) * 100) / 100),
            }
          : {}),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each figure's median over the rounds (the lower middle one for an even count). */
function medianRun(runs: readonly Run[]): Run {
  const median = (pick: (r: Run) => number): number => {
    const sorted = runs.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  };
  return {
    eventsPerS: median((r) => r.eventsPerS),
    p50: median((r) => r.p50),
    p99: median((r) => r.p99),
    accepted: median((r) => r.accepted),
    delivered: median((r) => r.delivered),
    cpuUsPerEvent: median((r) => r.cpuUsPerEvent),
    loadgenCpuUsPerEvent: median((r) => r.loadgenCpuUsPerEvent),
  };
}

/** `interlock start` on `store` with one source routed to the sink, as the pipeline measures it. */
function startInterlock(dir: string, name: string, store: unknown, sink: Sink, port: number): Promise<ChildProcess> {
  const config = path.join(dir, `${name}.yaml`);
  writeFileSync(
    config,
    stringify({
      server: { port },
      store,
      log: { level: 'error' },
      outbound: { allow: ['127.0.0.1'] },
      worker: { batchSize: 256 },
      sources: {
        bench: {
          eventId: { path: 'id' },
          routes: [{ destination: 'sink', key: 'order', transform: '{"id": id, "orderId": order, "amount": amount, "t": t}' }],
        },
      },
      destinations: { sink: { url: `${sink.url}/ok`, concurrency: 64 } },
    }),
  );
  // BENCH_CPU_PROF=<dir> writes a CPU profile of the Interlock process, for finding hot spots.
  const profile = process.env.BENCH_CPU_PROF === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF];
  return spawnReady(
    process.execPath,
    [...profile, path.join(ROOT, 'bin/interlock.js'), 'start', '--config', config, '--no-sample', '--no-sandboxes'],
    `http://127.0.0.1:${port}/healthz`,
  );
}

/**
 * Starts a sink and a server (via `start`), drives 32 connections for `seconds`, drains, measures.
 * Shared with `observability.ts`, which may pace the load at `rate` requests/s (unbounded by default).
 */
export async function measure(seconds: number, start: (sink: Sink, port: number) => Promise<ChildProcess>, rate?: number): Promise<Run> {
  const latencies: number[] = [];
  let lastDelivery = 0;
  const sink = await startSink({
    onEffect: (e) => {
      const now = performance.now();
      lastDelivery = now;
      latencies.push(now - (JSON.parse(e.body) as { t: number }).t);
    },
  });
  const port = await unusedPort();
  let child: ChildProcess | undefined;
  try {
    child = await start(sink, port);
    const cpuBefore = cpuSecondsOf(child.pid);
    const ownCpuBefore = process.cpuUsage();
    const began = performance.now();
    const result = await driveWebhooks({
      url: `http://127.0.0.1:${port}/hooks/bench`,
      connections: 32,
      seconds,
      rate,
      body: (n) => JSON.stringify({ id: `evt-${n}`, order: `SO-${n % 1000}`, amount: '120.00', t: performance.now() }),
    });
    const accepted = result.ok;
    const deadline = performance.now() + 30_000;
    while (sink.effects.length < accepted && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const elapsed = (lastDelivery - began) / 1000;
    const cpu = cpuSecondsOf(child.pid) - cpuBefore;
    const ownCpu = process.cpuUsage(ownCpuBefore);
    return {
      eventsPerS: sink.effects.length / elapsed,
      p50: Math.round(percentile(latencies, 50) * 10) / 10,
      p99: Math.round(percentile(latencies, 99) * 10) / 10,
      accepted,
      delivered: sink.effects.length,
      cpuUsPerEvent: Math.round((cpu * 1e6) / Math.max(1, sink.effects.length)),
      loadgenCpuUsPerEvent: Math.round((ownCpu.user + ownCpu.system) / Math.max(1, sink.effects.length)),
    };
  } finally {
    // Also when the load failed: a server left running would skew every later measurement.
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await sink.close();
  }
}

// A process's user + system time in seconds (fields 14 and 15 of /proc/<pid>/stat, in ticks of
// 10 ms); NaN where /proc is not available. Throughput swings with a shared machine's load, CPU
// per event much less.
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * A port for a server child, below Linux's ephemeral range (32768-60999: a port there can be taken
 * by any outgoing connection of the load, the sink or the OTLP export) and that nothing listens on
 * now: the machine's own services listen in this range too (RabbitMQ on 25672).
 */
async function unusedPort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** Spawns `cmd` and resolves once `probeUrl` answers; fails at once if the child exits first. */
export async function spawnReady(cmd: string, args: string[], probeUrl: string): Promise<ChildProcess> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 800 && child.exitCode === null && child.signalCode === null; i++) {
    try {
      // Bounded: whatever else might answer on the port must not hold the bench for ever.
      const res = await fetch(probeUrl, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`${args[0]} did not start${child.exitCode === null ? '' : ` (exit code ${child.exitCode})`}`);
}
