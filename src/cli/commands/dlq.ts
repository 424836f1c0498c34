/**
 * `interlock dlq list | show | replay | discard`: dead letters from the command line, straight
 * from the store (no server needed). Replay and discard take one id, or a filter.
 */
import type { Command } from 'commander';
import { validationError } from '../../core/errors.ts';
import type { DeadLetterFilter, DeadLetters } from '../../engine/dead-letters.ts';
import { userInfo } from 'node:os';

interface FilterOptions {
  config?: string;
  destination?: string;
  source?: string;
  errorClass?: DeadLetterFilter['errorClass'];
  since?: string;
  until?: string;
  json?: boolean;
  state?: string;
  limit?: string;
}

/** Registers `interlock dlq` and its subcommands. */
export function registerDlq(program: Command): void {
  const dlq = program.command('dlq').description('inspect, replay and discard dead letters');
  const withFilter = (c: Command) =>
    c
      .option('-c, --config <file>', 'configuration file (default: ./interlock.yaml if present)')
      .option('--destination <name>', 'only dead letters of this destination')
      .option('--source <name>', 'only dead letters of this source')
      .option('--error-class <class>', 'retryable | rate-limited | permanent')
      .option('--since <time>', 'parked at or after this ISO time')
      .option('--until <time>', 'parked before this ISO time');

  withFilter(dlq.command('list').description('list parked dead letters, newest first'))
    .option('--state <state>', 'parked | replayed | discarded | any', 'parked')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON instead of a table')
    .action((opts: FilterOptions) =>
      withDeadLetters(opts, async (dl) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) throw validationError(`--limit must be a positive whole number, got "${opts.limit}"`);
        const items = await dl.list({ ...toFilter(opts), state: opts.state as DeadLetterFilter['state'] }, limit);
        if (opts.json === true) return void process.stdout.write(JSON.stringify(items, null, 2) + '\n');
        if (items.length === 0) return void process.stdout.write('no dead letters match\n');
        console.table(
          items.map((d) => ({
            id: d.id,
            kind: d.kind,
            where: d.destination ?? d.source,
            class: d.errorClass,
            attempts: d.attempts,
            status: d.lastStatus ?? '',
            parked: d.parkedAt,
            reason: d.reason.slice(0, 60),
          })),
        );
      }),
    );

  dlq
    .command('show <id>')
    .description('show one dead letter with its message')
    .option('-c, --config <file>', 'configuration file')
    .action((id: string, opts: FilterOptions) =>
      withDeadLetters(opts, async (dl) => void process.stdout.write(JSON.stringify(await dl.get(parseId(id)), null, 2) + '\n')),
    );

  for (const action of ['replay', 'discard'] as const) {
    withFilter(dlq.command(`${action} [id]`).description(`${action} one dead letter by id, or all that match the filter`)).action(
      (id: string | undefined, opts: FilterOptions) =>
        withDeadLetters(opts, async (dl) => {
          const filter = id === undefined ? toFilter(opts) : { ids: [parseId(id)] };
          if (Object.keys(filter).length === 0) throw validationError(`${action} needs an id or a filter (--destination, --source, --error-class, --since, --until)`);
          const n = await dl[action](filter, `cli:${userInfo().username}`);
          process.stdout.write(`${action === 'replay' ? 'replayed' : 'discarded'} ${n} dead letter${n === 1 ? '' : 's'}\n`);
        }),
    );
  }
}

async function withDeadLetters(opts: FilterOptions, fn: (dl: DeadLetters) => Promise<void>): Promise<void> {
  const [{ systemClock }, { loadConfig }, { DeadLetters }, { openStore }] = await Promise.all([
    import('../../core/clock.ts'),
    import('../../core/config.ts'),
    import('../../engine/dead-letters.ts'),
    import('../../store/open-store.ts'),
  ]);
  const config = loadConfig({ file: opts.config });
  const store = await openStore(config.store);
  try {
    await fn(new DeadLetters(store, systemClock));
  } finally {
    await store.close();
  }
}

function toFilter(o: FilterOptions): DeadLetterFilter {
  const time = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw validationError(`${flag} must be an ISO date-time, got "${v}"`);
    return t;
  };
  const from = time(o.since, '--since');
  const to = time(o.until, '--until');
  return {
    ...(o.destination === undefined ? {} : { destination: o.destination }),
    ...(o.source === undefined ? {} : { source: o.source }),
    ...(o.errorClass === undefined ? {} : { errorClass: o.errorClass }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  };
}

function parseId(id: string): number {
  const n = Number(id);
  if (!Number.isInteger(n) || n < 1) throw validationError(`id must be a positive whole number, got "${id}"`);
  return n;
}
