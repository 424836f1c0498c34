/**
 * `interlock sync list | run <name> [--full] | full <name> | serve`: batch syncs (customers,
 * products, price-books) from the command line. `run` runs one now under the sync's lease;
 * `serve` runs the scheduler until stopped, as many workers as you like against one store.
 */
import type { Command } from 'commander';
import { validationError } from '../../core/errors.ts';
import type { Runtime } from '../runtime.ts';

interface Options {
  config?: string;
  full?: boolean;
  batchSize?: string;
  cron?: string[];
  only?: string;
  json?: boolean;
}

/** Registers `interlock sync`. */
export function registerSync(program: Command): void {
  const sync = program.command('sync').description('batch syncs of customers, products and price books (Salesforce → NetSuite)');

  sync
    .command('list')
    .description('the syncs, their schedules and last runs')
    .option('-c, --config <file>', 'configuration file (default: ./interlock.yaml if present)')
    .option('--json', 'print JSON instead of a table')
    .action((opts: Options) =>
      withRuntime(opts, async (rt) => {
        const { SyncSchedules } = await import('../../sync/batch/schedules.ts');
        const { SYNCS } = await import('../../sync/batch/syncs/index.ts');
        const { systemClock } = await import('../../core/clock.ts');
        const stored = new Map((await new SyncSchedules(rt.store, systemClock).list()).map((s) => [s.name, s]));
        const rows = Object.keys(SYNCS).map((name) => {
          const s = stored.get(name);
          return { sync: name, cron: s?.cron ?? '(not scheduled yet)', next: s?.nextAt ?? '', running: s?.runningOn ?? '', last: s?.lastStatus ?? 'never', finished: s?.lastFinishedAt ?? '', counts: s?.lastCounts === null || s === undefined ? '' : JSON.stringify(s.lastCounts), error: s?.lastError ?? '' };
        });
        if (opts.json === true) return void process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        console.table(rows);
      }),
    );

  sync
    .command('run <name>')
    .description('run one sync now (from its cursor, or from the start with --full)')
    .option('-c, --config <file>', 'configuration file')
    .option('--full', 'full resync: read everything again')
    .option('--batch-size <n>', 'records per micro-batch', '200')
    .action((name: string, opts: Options) =>
      withRuntime(opts, async (rt) => {
        const [{ runSync }, { findSync }, { ApiBudget }, { requireSystems }, { systemClock }, { hostname }] = await Promise.all([
          import('../../sync/batch/sync-runner.ts'),
          import('../../sync/batch/syncs/index.ts'),
          import('../../sync/batch/budget.ts'),
          import('../../sync/systems/systems.ts'),
          import('../../core/clock.ts'),
          import('node:os'),
        ]);
        const factory = findSync(name);
        const definition = factory(requireSystems(rt.systems), new ApiBudget());
        const outcome = await runSync(definition, { store: rt.store, clock: systemClock }, {
          owner: `cli:${hostname()}:${process.pid}`,
          full: opts.full === true,
          batchSize: positive(opts.batchSize, '--batch-size'),
          onBatch: (c) => process.stderr.isTTY && process.stderr.write(`\r\x1b[2K${name}: ${c.read} read, ${c.written} written, ${c.deleted} deleted`),
        });
        if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
        if (outcome.status === 'busy') throw validationError(`sync ${name} is running elsewhere; try again when it ends`, { status: 409, type: 'sync-busy' });
        const c = outcome.counts;
        process.stdout.write(`sync ${name}${outcome.full ? ' (full)' : ''}: ${c.read} read, ${c.written} written, ${c.deleted} deleted, ${c.skipped} skipped in ${c.batches} batches\n`);
      }),
    );

  sync
    .command('full <name>')
    .description('ask for a full resync of a sync at its next scheduled run (now due)')
    .option('-c, --config <file>', 'configuration file')
    .action((name: string, opts: Options) =>
      withRuntime(opts, async (rt) => {
        const [{ SyncSchedules }, { findSync }, { systemClock }] = await Promise.all([import('../../sync/batch/schedules.ts'), import('../../sync/batch/syncs/index.ts'), import('../../core/clock.ts')]);
        findSync(name);
        await new SyncSchedules(rt.store, systemClock).requestFull(name);
        process.stdout.write(`sync ${name}: full resync requested; the next worker tick runs it\n`);
      }),
    );

  sync
    .command('serve')
    .description('run due syncs on their schedules until stopped (one instance of each across workers)')
    .option('-c, --config <file>', 'configuration file')
    .option('--cron <name=expression...>', 'schedule of a sync, e.g. customers="*/5 * * * *"')
    .option('--only <names>', 'comma-separated syncs to run (default: all)')
    .action((opts: Options) =>
      withRuntime(opts, async (rt) => {
        const [{ SyncScheduler }, { requireSystems }, { systemClock }, { untilSignal }] = await Promise.all([
          import('../../sync/batch/scheduler.ts'),
          import('../../sync/systems/systems.ts'),
          import('../../core/clock.ts'),
          import('../runtime.ts'),
        ]);
        const crons: Record<string, string> = {};
        for (const c of opts.cron ?? []) {
          const at = c.indexOf('=');
          if (at < 1) throw validationError(`--cron must be name=expression, got "${c}"`);
          crons[c.slice(0, at)] = c.slice(at + 1);
        }
        const scheduler = new SyncScheduler({
          store: rt.store,
          clock: systemClock,
          systems: requireSystems(rt.systems),
          log: rt.log,
          crons,
          ...(opts.only === undefined ? {} : { only: opts.only.split(',').map((s) => s.trim()) }),
        });
        await scheduler.start();
        rt.log.info({ owner: scheduler.owner }, 'sync scheduler started');
        await untilSignal();
        await scheduler.stop();
      }),
    );
}

function positive(value: string | undefined, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw validationError(`${what} must be a positive whole number, got "${value}"`);
  return n;
}

async function withRuntime(opts: Options, fn: (rt: Runtime) => Promise<void>): Promise<void> {
  const { openRuntime } = await import('../runtime.ts');
  const rt = await openRuntime({ configFile: opts.config });
  try {
    await fn(rt);
  } finally {
    await rt.close();
  }
}
