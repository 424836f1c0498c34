/**
 * `interlock start` (what `npm start` runs): the HTTP server and a worker in one process, on
 * the configured store — by default embedded SQLite in ./data. With no configuration file it
 * runs a sample setup: a `demo` webhook source routed to a local recording sink, so a first
 * user can send an event and watch it delivered.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InterlockError, validationError } from '../../core/errors.ts';
import type { Sink } from '../../sandboxes/sink/sink.ts';

interface StartOptions {
  config?: string;
  apiOnly?: boolean;
  sample: boolean;
  sandboxes: boolean;
}

/** Registers `interlock start`. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the API server and a worker (the sample setup when no config file is given)')
    .option('-c, --config <file>', 'configuration file (default: ./interlock.yaml if present)')
    .option('--api-only', 'serve the API without running a worker in this process')
    .option('--no-sample', 'do not start the sample sink and demo source')
    .option('--no-sandboxes', 'do not start the seeded vendor sandboxes')
    .action(async (opts: StartOptions) => {
      // Loaded here, not at the top: `interlock --help` and other commands should start fast.
      const [{ buildServer }, { startSink }, { openRuntime, untilSignal }] = await Promise.all([
        import('../../api/server.ts'),
        import('../../sandboxes/sink/sink.ts'),
        import('../runtime.ts'),
      ]);
      const hasFile = opts.config !== undefined || existsSync('interlock.yaml');
      let sink: Sink | undefined;
      if (!hasFile && opts.sample) {
        sink = await startSink({
          onEffect: (e) => process.stdout.write(`  → sample-sink received event ${e.eventId ?? '?'} from ${e.source ?? '?'}: ${e.body}\n`),
        });
      }
      // The vendor sandboxes, seeded, keep their state beside the store so a demo survives a restart.
      const sandboxes =
        opts.sandboxes && !hasFile
          ? await (await import('../../sandboxes/registry.ts')).startSandboxes({ seed: true, statePath: 'data/sandboxes' })
          : [];
      const rt = await openRuntime({ configFile: opts.config, values: sink === undefined ? undefined : sampleConfig(sink.url) });
      const app = await buildServer({ config: rt.config, store: rt.store, engine: rt.engine, log: rt.log });
      try {
        await app.listen({ host: rt.config.server.host, port: rt.config.server.port });
      } catch (err) {
        await rt.close();
        await sink?.close();
        await Promise.allSettled(sandboxes.map((x) => x.close()));
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw validationError(`port ${rt.config.server.port} is in use; choose another with INTERLOCK_PORT or server.port`);
        }
        throw err instanceof InterlockError ? err : validationError(`cannot listen: ${(err as Error).message}`);
      }
      if (opts.apiOnly !== true) await rt.engine.startWorker();
      const base = `http://${rt.config.server.host}:${rt.config.server.port}`;
      process.stdout.write(banner(base, rt.store.dialect, rt.config.store.sqlitePath, sink, sandboxes));
      await untilSignal();
      await app.close();
      await rt.close();
      await sink?.close();
      await Promise.allSettled(sandboxes.map((x) => x.close()));
    });
}

/** The sample setup: one webhook source, routed by order id to the recording sink. */
function sampleConfig(sinkUrl: string): unknown {
  return {
    // The sample destination runs on this machine: let the SSRF guard through to it.
    outbound: { allow: ['127.0.0.1'] },
    sources: { demo: { eventId: { path: 'id' }, routes: [{ destination: 'sample-sink', key: 'orderId' }] } },
    destinations: { 'sample-sink': { url: `${sinkUrl}/ok` } },
  };
}

function banner(
  base: string,
  dialect: string,
  sqlitePath: string,
  sink: Sink | undefined,
  sandboxes: ReadonlyArray<{ name: string; url: string }>,
): string {
  const lines = [
    '',
    `Interlock is running — store: ${dialect === 'sqlite' ? `SQLite (${sqlitePath})` : 'PostgreSQL'}`,
    `  API           ${base}   (health: ${base}/readyz)`,
    `  webhooks      ${base}/hooks/<source>`,
    `  dead letters  ${base}/admin/dead-letters   (or: npx interlock dlq list)`,
  ];
  if (sandboxes.length > 0) {
    lines.push('', 'Vendor sandboxes (seeded with demo data; faults at <url>/__sandbox/faults):');
    for (const x of sandboxes) lines.push(`  ${x.name.padEnd(13)} ${x.url}`);
  }
  if (sink !== undefined) {
    lines.push(
      '',
      `Sample destination: ${sink.url} (prints every event it receives)`,
      '',
      'Send an event through it:',
      `  curl -s -X POST ${base}/hooks/demo -H 'content-type: application/json' \\`,
      `       -d '{"id":"evt-1","orderId":"SO-1001","amount":"120.00","currency":"USD"}'`,
    );
  }
  lines.push('', 'Stop with Ctrl-C.', '');
  return lines.join('\n');
}
