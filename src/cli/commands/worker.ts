/**
 * `interlock worker`: routing, delivery and retention, without the HTTP server. Run as many as
 * you like against one PostgreSQL store; they share the work.
 */
import type { Command } from 'commander';

/** Registers `interlock worker`. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a worker: route inbound events and deliver outbound messages')
    .option('-c, --config <file>', 'configuration file (default: ./interlock.yaml if present)')
    .action(async (opts: { config?: string }) => {
      const { openRuntime, untilSignal } = await import('../runtime.ts');
      const rt = await openRuntime({ configFile: opts.config });
      await rt.startWorker();
      rt.log.info({ worker: rt.config.worker.id, store: rt.store.dialect }, 'worker started');
      await untilSignal();
      await rt.close();
    });
}
