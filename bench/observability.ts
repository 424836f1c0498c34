/**
 * `npm run bench -- observability`: the cost of tracing and metrics on the pipeline benchmark
 * (webhook in → inbox → transform → outbox → delivered to a local sink, 32 connections, SQLite),
 * the same Interlock process configuration with `observability` off and on, alternated in the
 * same run. "On" records a span for the inbox, routing and each delivery (with `traceparent`
 * sent to the sink), exports them over OTLP/HTTP to a local collector stub, counts metrics, and
 * is scraped at /metrics every second. One JSON line per case.
 *
 * Issue #9's figure is the throughput lost, budget 15 %: `overhead_pct` = 1 − on / off events/s,
 * the median of the rounds' pairs (`overhead_pct_rounds` lists each; `ratio` is that of the median
 * throughputs, on / off).
 * Throughput on a shared machine swings with its load, so the Interlock process's own CPU time
 * per delivered event (from /proc, load start to drained, as the pipeline bench counts it) is
 * reported too: `cpu_overhead_pct` the extra CPU per event, `cpu_ratio` = off / on (1 = no extra
 * CPU), medians of the rounds' pairs; the steadier figure (on a CPU-bound machine, extra CPU per
 * event is lost throughput). A round's order alternates (off then on, then on then off), so a
 * machine that speeds up or slows down through the run favours neither.
 *
 * CPU per event is not free of load either: the process's fixed CPU per second (timers, pollers,
 * the WAL checkpointer) is spread over fewer events when a round's throughput drops, so several
 * rounds are needed, or BENCH_OBS_RATE=<events/s> to pace both modes at the same rate (the fixed
 * CPU per second then dilutes both alike). Paced, both modes deliver the rate by construction:
 * there is no throughput figure then (`overhead_pct` is null), only the CPU one.
 * `observability overhead` runs only this part; BENCH_OBS_ROUNDS=<n> alternates off/on n times.
 * BENCH_OBS_TOGETHER=1 (with BENCH_OBS_RATE) runs a round's off and on at the same time instead of
 * one after the other, so a machine shared with other work loads both alike: with the load average
 * at 5-7 on this 2-core machine, alternated rounds of the same build spread over 50 points.
 *
 * Then lineage at scale (`npm run bench -- observability lineage` runs only that): the lineage of
 * one deal in a store of 1 000 000 inbox events and outbox messages (100 000 with --quick), against
 * the header scan lineage made before its lookups were indexed; `ratio` = scan / lineage time.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { measure, spawnReady, type Run } from './pipeline.ts';
import { report, type BenchOptions } from './report.ts';
import { measureLineageAtScale } from './support/lineage-scale.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Runs the benchmark. */
export default async function observability(options: BenchOptions): Promise<void> {
  if (!options.args.includes('lineage')) await overhead(options);
  if (options.args.includes('overhead')) return;
  const scale = await measureLineageAtScale(options.quick ? 100_000 : 1_000_000, options.quick ? 10 : 30);
  report({
    bench: 'observability',
    case: `lineage-sqlite-${scale.rows}-events`,
    metric: 'lineage_ms',
    value: scale.lineageMs,
    unit: 'ms',
    baseline: scale.headerScanMs,
    p95_ms: Math.round(scale.lineageP95Ms * 100) / 100,
    baseline_is: 'one LIKE scan of inbox headers for a trace id (lineage before migration 0801 made two)',
    nodes: scale.nodes,
    seed_s: Math.round(scale.seedSeconds * 10) / 10,
  }, 'lower');
}

/** Tracing and metrics off versus on, on the pipeline. */
async function overhead(options: BenchOptions): Promise<void> {
  // Many short rounds rather than a few long ones: this machine's speed drifts by 20 % and more
  // within a minute, so one pair of 10 s runs can be off by 20 points either way; the median of
  // seven alternated pairs (about 2 minutes) came out at 15.7, 14.1, 9.4 and 10.2 % in four runs.
  const seconds = options.quick ? 3 : 8;
  // BENCH_OBS_ROUNDS=<n> alternates off/on more times (an A/B on a loaded machine wants several).
  const rounds = process.env.BENCH_OBS_ROUNDS === undefined ? (options.quick ? 1 : 7) : Math.max(1, Number(process.env.BENCH_OBS_ROUNDS));
  // BENCH_OBS_RATE=<events/s> paces the load below what either mode can take: both then do the
  // same work per second, and CPU per event no longer depends on how a loaded machine shared itself.
  const rate = process.env.BENCH_OBS_RATE === undefined ? undefined : Number(process.env.BENCH_OBS_RATE);
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-bench-obs-'));
  let spansBytes = 0;
  const collector = createServer((req, res) => {
    req.on('data', (c: Buffer) => (spansBytes += c.length));
    // An empty ExportTraceServiceResponse (full success), as a collector answers OTLP protobuf.
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const otlpUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;
  const results: Record<'off' | 'on', Run[]> = { off: [], on: [] };
  const cpuPerEvent: Record<'off' | 'on', number[]> = { off: [], on: [] };
  // BENCH_OBS_TOGETHER=1 runs each round's off and on at the same time (each paced, each its own
  // process and load): both then share whatever else the machine is doing, second by second.
  const together = process.env.BENCH_OBS_TOGETHER === '1';
  try {
    // One run of `mode` in `round`: its own process, database and load.
    const one = async (mode: 'off' | 'on', round: number): Promise<void> => {
      const db = path.join(dir, `${mode}-${round}.db`);
      let scrapes = 0;
      let scraper: NodeJS.Timeout | undefined;
      const run = await measure(seconds, async (sink, port) => {
        const config = path.join(dir, `${mode}.yaml`);
        writeFileSync(
          config,
          stringify({
            server: { port },
            store: { kind: 'sqlite', sqlite: { path: db } },
            log: { level: 'error' },
            outbound: { allow: ['127.0.0.1'] },
            worker: { batchSize: 256 },
            sources: { bench: { eventId: { path: 'id' }, routes: [{ destination: 'sink', key: 'order', transform: '{"id": id, "orderId": order, "amount": amount, "t": t}' }] } },
            destinations: { sink: { url: `${sink.url}/ok`, concurrency: 64 } },
            // BENCH_OBS_ON='{"tracing":"on","metrics":"off"}' measures one part of "on" alone; "OTLP"
            // in it stands for the local collector's URL ('{"tracing":"on","metrics":"off","otlp":{"url":"OTLP"}}').
            observability: mode === 'on' ? (process.env.BENCH_OBS_ON === undefined ? { tracing: 'on', metrics: 'on', otlp: { url: otlpUrl } } : JSON.parse(process.env.BENCH_OBS_ON.replace('"OTLP"', JSON.stringify(otlpUrl))) as unknown) : { tracing: 'off', metrics: 'off' },
          }),
        );
        // BENCH_CPU_PROF=<dir> writes a CPU profile of each Interlock process, for finding hot spots.
        const profile = process.env.BENCH_CPU_PROF === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', path.join(process.env.BENCH_CPU_PROF, mode)];
        const child = await spawnReady(process.execPath, [...profile, path.join(ROOT, 'bin/interlock.js'), 'start', '--config', config, '--no-sample', '--no-sandboxes'], `http://127.0.0.1:${port}/healthz`);
        if (mode === 'on' && process.env.BENCH_OBS_SCRAPE !== '0') {
          scraper = setInterval(() => {
            void fetch(`http://127.0.0.1:${port}/metrics`).then(async (r) => {
              await r.arrayBuffer();
              scrapes += 1;
            }, () => undefined);
          }, 1000);
        }
        return child;
      }, rate);
      clearInterval(scraper);
      results[mode].push(run);
      // Load start to drained (measure's figure): start-up and shutdown are left out alike.
      cpuPerEvent[mode].push(run.cpuUsPerEvent);
      process.stderr.write(`observability: round ${round + 1} ${mode}: ${run.eventsPerS.toFixed(0)} events/s, ${cpuPerEvent[mode].at(-1)!.toFixed(0)} µs CPU per event (load generator, sink and collector: ${run.loadgenCpuUsPerEvent} µs)${mode === 'on' ? `, ${scrapes} scrapes` : ''}\n`);
    };
    for (let round = 0; round < rounds; round++) {
      if (together) {
        // Both settle before anything is cleaned up: a failed run must not leave the other's process running.
        const failed = (await Promise.allSettled([one('off', round), one('on', round)])).find((r) => r.status === 'rejected');
        if (failed !== undefined) throw failed.reason;
      }
      // Off first in even rounds, on first in odd ones: a drift of the machine's speed through the run favours neither.
      else for (const mode of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) await one(mode, round);
    }
  } finally {
    collector.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const medianOf = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
  const median = (runs: Run[], f: (r: Run) => number) => medianOf(runs.map(f));
  const pct = (r: number) => Math.round(r * 1000) / 10;
  // On / off, paired by round (the two runs of a round share the machine's load best).
  const cpuPairs = cpuPerEvent.on.map((c, i) => c / cpuPerEvent.off[i]!);
  const throughputPairs = results.on.map((r, i) => r.eventsPerS / results.off[i]!.eventsPerS);
  const off = median(results.off, (r) => r.eventsPerS);
  const on = median(results.on, (r) => r.eventsPerS);
  // The off case is its own baseline; the on case's ratio is on/off throughput (1 = no overhead).
  for (const mode of ['off', 'on'] as const) {
    report({
      bench: 'observability',
      case: `sqlite-tracing-metrics-${mode}`,
      metric: 'events_per_s',
      value: mode === 'on' ? on : off,
      unit: 'events/s',
      baseline: off,
      p50_ms: median(results[mode], (r) => r.p50),
      p99_ms: median(results[mode], (r) => r.p99),
      baseline_p50_ms: median(results.off, (r) => r.p50),
      delivered: results[mode].reduce((a, r) => a + r.delivered, 0),
      cpu_us_per_event: Math.round(medianOf(cpuPerEvent[mode])),
      ...(mode === 'on'
        ? {
            // Paced, both deliver the rate: no throughput is lost or won by construction.
            overhead_pct: rate === undefined ? pct(1 - medianOf(throughputPairs)) : null,
            ...(rate === undefined ? { overhead_pct_rounds: throughputPairs.map((r) => pct(1 - r)) } : {}),
            cpu_ratio: Math.round(medianOf(cpuPairs.map((r) => 1 / r)) * 100) / 100,
            cpu_overhead_pct: pct(medianOf(cpuPairs) - 1),
            // Each round's figure, so the spread shows: on a loaded machine one round can be off by 40 points.
            cpu_overhead_pct_rounds: cpuPairs.map((r) => pct(r - 1)),
            budget_pct: 15,
            otlp_bytes: spansBytes,
          }
        : {}),
      rounds,
      seconds,
      ...(rate === undefined ? {} : { paced_events_per_s: rate }),
      ...(together ? { together: true } : {}),
    });
  }
}
