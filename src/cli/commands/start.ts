/**
 * `interlock start` (what `npm start` runs): the HTTP server and a worker in one process, on
 * the configured store — by default embedded SQLite in ./data.
 *
 * With a configuration file it runs that configuration. Without one it runs the demo: the vendor
 * sandboxes, seeded and kept in ./data/sandboxes, as the systems of both stories; the scenarios
 * played live — first deals closed in Salesforce booked into NetSuite and Stripe, billed and
 * renewed; then opportunities won in Dynamics 365 booked into SAP S/4HANA, shipped, billed and
 * paid — printing where each deal stands as it moves; then it keeps serving so the user can
 * look around.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Sink } from '../../sandboxes/sink/sink.ts';
import { validationError } from '../../core/errors.ts';
import { banner } from '../banner.ts';

interface StartOptions {
  config?: string;
  apiOnly?: boolean;
  sample: boolean;
  sandboxes: boolean;
  scenario: boolean;
  story: string;
}

/** The demo's stories, as `--story` names them. */
const STORIES = ['both', 'first', 'manufacturer'] as const;

/** Registers `interlock start`. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the API server and a worker (the live demo on the vendor sandboxes when no config file is given)')
    .option('-c, --config <file>', 'configuration file (default: ./interlock.yaml if present)')
    .option('--api-only', 'serve the API without running a worker in this process')
    .option('--no-sample', 'do not start the sample sink and demo source')
    .option('--no-sandboxes', 'do not start the seeded vendor sandboxes (and so no demo scenario)')
    .option('--no-scenario', 'start the demo systems but do not play the scenario')
    .option('--story <story>', 'which demo story to play: both, first (Salesforce → NetSuite, Stripe) or manufacturer (Dynamics 365 → SAP S/4HANA)', 'both')
    .action(async (opts: StartOptions) => {
      if (!(STORIES as readonly string[]).includes(opts.story)) {
        throw validationError(`--story must be one of ${STORIES.join(', ')}, got "${opts.story}"`);
      }
      const hasFile = opts.config !== undefined || existsSync('interlock.yaml');
      await (hasFile ? startConfigured(opts) : startDemo(opts));
    });
}

/** Runs the user's configuration. */
async function startConfigured(opts: StartOptions): Promise<void> {
  // Loaded here, not at the top: `interlock --help` and other commands should start fast.
  const [{ buildServer }, { openRuntime, untilSignal }, { listenOrExplain }] = await Promise.all([
    import('../../api/server.ts'),
    import('../runtime.ts'),
    import('../listen.ts'),
  ]);
  const rt = await openRuntime({ configFile: opts.config });
  const app = await buildServer({ config: rt.config, store: rt.store, engine: rt.engine, log: rt.log, systems: rt.systems, manufacturer: rt.manufacturer });
  await listenOrExplain(app, rt.config.server, () => rt.close());
  if (opts.apiOnly !== true) await rt.startWorker();
  const base = `http://${rt.config.server.host}:${rt.config.server.port}`;
  process.stdout.write(banner({ base, dialect: rt.store.dialect, sqlitePath: rt.config.store.sqlitePath, story: rt.systems !== undefined, manufacturer: rt.manufacturer !== undefined }));
  await untilSignal();
  await app.close();
  await rt.close();
}

/** Runs the demo: sandboxes, sample sink, story and (unless told not to) the live scenario. */
async function startDemo(opts: StartOptions): Promise<void> {
  const [{ startSink }, { untilSignal }] = await Promise.all([import('../../sandboxes/sink/sink.ts'), import('../runtime.ts')]);
  let sink: Sink | undefined;
  if (opts.sample) {
    sink = await startSink({
      onEffect: (e) => process.stdout.write(`  → sample-sink received event ${e.eventId ?? '?'} from ${e.source ?? '?'}: ${e.body}\n`),
    });
  }
  // Warnings only: the scenario tells the story (INTERLOCK_LOG_LEVEL=info shows the engine's logs).
  const base = { ...(sink === undefined ? {} : sampleConfig(sink.url)), log: { level: 'warn' } };
  try {
    if (!opts.sandboxes) {
      await startSampleOnly(opts, base, sink, untilSignal);
      return;
    }
    const [{ startDemoHost }, { playScenario }, { summaryTable }, { playManufacturerScenario, manufacturerTable }] = await Promise.all([
      import('../../demo/demo-host.ts'),
      import('../../demo/scenario.ts'),
      import('../../demo/verify.ts'),
      import('../../demo/manufacturer.ts'),
    ]);
    // The sandboxes keep their state beside the store, so the demo's data survives a restart.
    // Both stories' systems run whichever story is played: the console and API show them all.
    const host = await startDemoHost({ base, sandboxStatePath: 'data/sandboxes' });
    const info = { base: host.baseUrl, dialect: host.rt.store.dialect, sqlitePath: host.rt.config.store.sqlitePath, story: true, manufacturer: host.rt.manufacturer !== undefined, sandboxes: host.sandboxes, sink, analytics: host.analytics };
    const print = (line: string) => process.stdout.write(`${line}\n`);
    try {
      if (opts.scenario && opts.story !== 'manufacturer') {
        print('\nInterlock is running on the vendor sandboxes. The first story, live: Salesforce → NetSuite and Stripe, with Avalara.\n');
        const result = await playScenario(host.scenario(print));
        print(`\nWhere each deal stands now:\n\n${summaryTable(result.deals, result.standings)}\n`);
        print(verdict(result.problems, result.elapsedMs));
      }
      const manufacturer = host.manufacturerScenario(print);
      if (opts.scenario && opts.story !== 'first' && manufacturer !== undefined) {
        print('\nThe manufacturer story, live: Dynamics 365 → SAP S/4HANA, with Avalara; SAP\'s shipments, invoices and payments back to Dynamics.\n');
        const result = await playManufacturerScenario(manufacturer);
        print(`\nWhere each deal stands now:\n\n${manufacturerTable(result.standings)}\n`);
        print(verdict(result.problems, result.elapsedMs));
      }
      process.stdout.write(banner(info));
      await untilSignal();
    } finally {
      await host.close();
    }
  } finally {
    await sink?.close();
  }
}

/** The check's outcome in a sentence, or the problems one per line. */
function verdict(problems: readonly string[], elapsedMs: number): string {
  return problems.length === 0
    ? `\nEvery system holds what it should (${(elapsedMs / 1000).toFixed(1)} s).`
    : `\nThe check found ${problems.length} problem(s):\n${problems.map((p) => `  ✗ ${p}`).join('\n')}`;
}

/** The sample sink alone (`--no-sandboxes`): send an event and watch it delivered. */
async function startSampleOnly(opts: StartOptions, values: Record<string, unknown>, sink: Sink | undefined, untilSignal: () => Promise<unknown>): Promise<void> {
  const [{ buildServer }, { openRuntime }, { listenOrExplain }] = await Promise.all([import('../../api/server.ts'), import('../runtime.ts'), import('../listen.ts')]);
  const rt = await openRuntime({ values });
  const app = await buildServer({ config: rt.config, store: rt.store, engine: rt.engine, log: rt.log });
  await listenOrExplain(app, rt.config.server, () => rt.close());
  if (opts.apiOnly !== true) await rt.startWorker();
  process.stdout.write(banner({ base: `http://${rt.config.server.host}:${rt.config.server.port}`, dialect: rt.store.dialect, sqlitePath: rt.config.store.sqlitePath, story: false, sink }));
  await untilSignal();
  await app.close();
  await rt.close();
}

/** The sample setup: one webhook source, routed by order id to the recording sink. */
function sampleConfig(sinkUrl: string): Record<string, unknown> {
  return {
    // The sample destination runs on this machine: let the SSRF guard through to it.
    outbound: { allow: ['127.0.0.1'] },
    sources: { demo: { eventId: { path: 'id' }, routes: [{ destination: 'sample-sink', key: 'orderId' }] } },
    destinations: { 'sample-sink': { url: `${sinkUrl}/ok` } },
  };
}
