/**
 * `interlock runs list | show | start | retry | cancel | approve | reject | send-event`: workflow
 * runs from the command line, straight from the store (no server needed). A worker process
 * executes what these commands make due.
 */
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { validationError } from '../../core/errors.ts';
import type { FlowRuntime } from '../../engine/flows/runtime.ts';
import type { RunStatus } from '../../store/migrations/0200-flows.ts';

interface Options {
  config?: string;
  flow?: string;
  key?: string;
  status?: RunStatus;
  limit?: string;
  json?: boolean;
  reason?: string;
  input?: string;
  payload?: string;
  run?: string;
}

const print = (value: unknown) => void process.stdout.write(JSON.stringify(value, null, 2) + '\n');
const actor = () => `cli:${userInfo().username}`;

/** Registers `interlock runs` and its subcommands. */
export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('inspect and operate workflow runs');
  const cmd = (spec: string, description: string) =>
    runs.command(spec).description(description).option('-c, --config <file>', 'configuration file (default: ./interlock.yaml if present)');

  cmd('list', 'list runs, newest first')
    .option('--flow <name>', 'only runs of this flow')
    .option('--key <key>', 'only runs for this business key')
    .option('--status <status>', 'queued | running | waiting | compensating | completed | failed | compensated | compensation-failed | cancelled')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON instead of a table')
    .action((opts: Options) =>
      withFlows(opts, async (rt) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) throw validationError(`--limit must be a positive whole number, got "${opts.limit}"`);
        const items = await rt.runs.list({
          ...(opts.flow === undefined ? {} : { flow: opts.flow }),
          ...(opts.key === undefined ? {} : { key: opts.key }),
          ...(opts.status === undefined ? {} : { status: opts.status }),
        }, limit);
        if (opts.json === true) return print(items);
        if (items.length === 0) return void process.stdout.write('no runs match\n');
        console.table(items.map((r) => ({ id: r.id, flow: `${r.flow}@${r.version}`, key: r.key, status: r.status, waiting: r.waitingFor ?? '', updated: r.updatedAt, error: (r.error ?? '').slice(0, 50) })));
      }),
    );

  cmd('show <id>', 'show one run with its input, output and step timeline').action((id: string, opts: Options) =>
    withFlows(opts, async (rt) => print(await rt.runs.get(parseId(id)))),
  );

  cmd('start <flow>', 'start a run of a flow')
    .requiredOption('--key <key>', 'business key (one active run per flow and key)')
    .option('--input <json>', 'input as JSON', 'null')
    .action((flow: string, opts: Options) => withFlows(opts, async (rt) => print(await rt.start(flow, { key: opts.key!, input: parseJson(opts.input ?? 'null', '--input') }))));

  cmd('retry <id>', 'retry the failed step (or compensation) of a run').action((id: string, opts: Options) =>
    withFlows(opts, async (rt) => print(await rt.runs.retry(parseId(id), actor()))),
  );

  cmd('cancel <id>', 'cancel a run, compensating the steps it completed').action((id: string, opts: Options) =>
    withFlows(opts, async (rt) => print(await rt.runs.cancel(parseId(id), actor()))),
  );

  for (const action of ['approve', 'reject'] as const) {
    cmd(`${action} <id>`, `${action} the approval a run waits for`)
      .option('--reason <text>', 'why')
      .action((id: string, opts: Options) =>
        withFlows(opts, async (rt) => print(await rt.runs.decide(parseId(id), { approved: action === 'approve', by: actor(), reason: opts.reason ?? null }))),
      );
  }

  cmd('send-event <type>', 'deliver an event to the runs waiting for its type')
    .option('--run <id>', 'only to this run')
    .option('--payload <json>', 'event body as JSON', '{}')
    .action((type: string, opts: Options) =>
      withFlows(opts, async (rt) => {
        const delivered = await rt.runs.sendEvent(type, parseJson(opts.payload ?? '{}', '--payload'), opts.run === undefined ? undefined : parseId(opts.run));
        print({ delivered });
      }),
    );
}

async function withFlows(opts: Options, fn: (rt: FlowRuntime) => Promise<void>): Promise<void> {
  const [{ systemClock }, { loadConfig }, { createLogger }, { FlowRuntime }, { builtInFlows }, { openStore }, { openStorySystems }] = await Promise.all([
    import('../../core/clock.ts'),
    import('../../core/config.ts'),
    import('../../core/logger.ts'),
    import('../../engine/flows/runtime.ts'),
    import('../../flows/index.ts'),
    import('../../store/open-store.ts'),
    import('../../flows/story.ts'),
  ]);
  const config = loadConfig({ file: opts.config });
  const store = await openStore(config.store);
  // The definitions name and validate the flows; nothing here calls the systems.
  const systems = await openStorySystems(config);
  const registry = builtInFlows(systems, store);
  try {
    const { id: worker, leaseMs, pollMs } = config.worker;
    await fn(new FlowRuntime({ store, clock: systemClock, log: createLogger(config.log.level), registry, worker, leaseMs, pollMs }));
  } finally {
    await systems?.close();
    await store.close();
  }
}

function parseId(id: string): number {
  const n = Number(id);
  if (!Number.isInteger(n) || n < 1) throw validationError(`id must be a positive whole number, got "${id}"`);
  return n;
}

function parseJson(text: string, flag: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw validationError(`${flag} must be JSON, got "${text.slice(0, 100)}"`);
  }
}
