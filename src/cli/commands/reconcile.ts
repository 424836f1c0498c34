/**
 * `interlock reconcile <job> [--heal] [--format table|csv|json]`: compares the systems of a
 * shipped job (customers, deals, invoices), keeps the run in the store, prints the report, and
 * with `--heal` heals safe classes at once and queues the rest for approval. Also
 * `reconcile list`, `reconcile show <run>`, `reconcile approve|reject <discrepancy>`.
 */
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { validationError } from '../../core/errors.ts';
import type { StoredDiscrepancy } from '../../sync/reconcile/discrepancy.ts';
import type { ReconcileRun } from '../../sync/reconcile/run-history.ts';
import type { ReconcileService } from '../../sync/reconcile-service.ts';

interface Options {
  config?: string;
  heal?: boolean;
  format?: string;
  safe?: string;
  tolerance?: string;
  limit?: string;
  progress?: boolean;
  failOnDrift?: boolean;
  reason?: string;
  job?: string;
}

const FORMATS = ['table', 'csv', 'json'];
const actor = (): string => `cli:${userInfo().username}`;

/** Registers `interlock reconcile`. */
export function registerReconcile(program: Command): void {
  const reconcile = program
    .command('reconcile')
    .description('compare CRM, ERP and billing by business key; report and heal drift (jobs: customers, deals, invoices)')
    .argument('[job]', 'customers | deals | invoices')
    .option('-c, --config <file>', 'configuration file (default: ./interlock.yaml if present)')
    .option('--heal', 'heal what is found: safe classes now, the others after approval')
    .option('--safe <classes>', 'comma-separated classes healed without approval, `kind` or `kind@system` (default: the job\'s own)')
    .option('--tolerance <amount>', 'largest amount difference that is not a mismatch', '0.01')
    .option('--format <format>', 'table | csv | json', 'table')
    .option('--limit <n>', 'table rows at most (csv and json print everything)', '100')
    .option('--no-progress', 'no progress line on stderr')
    .option('--fail-on-drift', 'exit with 1 when a discrepancy is found')
    .action((job: string | undefined, opts: Options) =>
      withService(opts, async (service) => {
        if (job === undefined) throw validationError('name a job: interlock reconcile customers | deals | invoices');
        const format = checkFormat(opts.format);
        const tolerance = Number(opts.tolerance);
        if (!Number.isFinite(tolerance) || tolerance < 0) throw validationError(`--tolerance must be a number ≥ 0, got "${opts.tolerance}"`);
        const showProgress = opts.progress !== false && process.stderr.isTTY;
        const { progressText } = await import('../../sync/reconcile/progress-text.ts');
        const out = await service.reconcile(job, {
          actor: actor(),
          heal: opts.heal === true,
          tolerance,
          ...(opts.safe === undefined ? {} : { safe: opts.safe.split(',').map((s) => s.trim()).filter((s) => s !== '') }),
          ...(showProgress ? { onProgress: (p) => process.stderr.write(`\r\x1b[2K${progressText(p)}`) } : {}),
        });
        if (showProgress) process.stderr.write('\r\x1b[2K');
        await print(service, out.run, format, opts.limit);
        if (out.heal !== undefined && format === 'table') {
          const h = out.heal;
          process.stdout.write(`healed ${h.healed}, failed ${h.failed}, waiting for approval ${h.pendingApproval}, for a person ${h.manual}\n`);
        }
        if (opts.failOnDrift === true && out.run.discrepancies > 0) process.exitCode = 1;
      }),
    );

  reconcile
    .command('list')
    .description('recent reconciliation runs, newest first (-c and --limit as above)')
    .option('--job <job>', 'only runs of this job')
    .action((local: Options, cmd: Command) =>
      withService(merged(local, cmd), async (service, opts) => {
        const runs = await service.runs.list({ ...(opts.job === undefined ? {} : { job: opts.job }), limit: positive(opts.limit, '--limit') });
        if (runs.length === 0) return void process.stdout.write('no reconciliation runs yet\n');
        console.table(runs.map((r) => ({ run: r.id, job: r.job, status: r.status, started: r.startedAt, by: r.startedBy, discrepancies: r.discrepancies, kinds: kindsText(r) })));
      }),
    );

  reconcile
    .command('show <run>')
    .description('the report of one run (-c, --format and --limit as above)')
    .action((run: string, local: Options, cmd: Command) =>
      withService(merged(local, cmd), async (service, opts) => print(service, await service.runs.get(positive(run, 'run')), checkFormat(opts.format), opts.limit)),
    );

  reconcile
    .command('approve <discrepancy>')
    .description('approve the heal of a discrepancy waiting for approval, and run it')
    .action((id: string, local: Options, cmd: Command) =>
      withService(merged(local, cmd), async (service) => {
        const d = await service.approve(positive(id, 'discrepancy'), actor());
        process.stdout.write(`discrepancy ${d.id} ${d.healStatus}: ${d.healDetail ?? ''}\n`);
        if (d.healStatus !== 'healed') process.exitCode = 1;
      }),
    );

  reconcile
    .command('reject <discrepancy>')
    .description('reject the heal of a discrepancy (a person fixes it instead)')
    .requiredOption('--reason <text>', 'why, for the audit log')
    .action((id: string, local: Options, cmd: Command) =>
      withService(merged(local, cmd), async (service, opts) => {
        const d = await service.reject(positive(id, 'discrepancy'), actor(), opts.reason ?? '');
        process.stdout.write(`discrepancy ${d.id} ${d.healStatus}\n`);
      }),
    );
}

async function print(service: ReconcileService, run: ReconcileRun, format: string, limit: string | undefined): Promise<void> {
  const { toCsv, toJson } = await import('../../sync/reconcile/export.ts');
  if (format !== 'table') {
    const chunks = format === 'csv' ? toCsv(service.runs.discrepancies(run.id)) : toJson(run, service.runs.discrepancies(run.id));
    for await (const chunk of chunks) if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
    return;
  }
  const reads = Object.entries(run.read).map(([s, n]) => `${s} ${n}`).join(', ');
  process.stdout.write(`run ${run.id} ${run.job} ${run.status}: read ${reads}; ${run.discrepancies} discrepanc${run.discrepancies === 1 ? 'y' : 'ies'}${run.discrepancies > 0 ? ` (${kindsText(run)})` : ''}\n`);
  if (run.error !== null) process.stdout.write(`error: ${run.error}\n`);
  const max = positive(limit, '--limit');
  const rows: Array<Record<string, unknown>> = [];
  for await (const d of service.runs.discrepancies(run.id)) {
    if (rows.length >= max) break;
    rows.push(row(d));
  }
  if (rows.length > 0) console.table(rows);
  if (run.discrepancies > rows.length) process.stdout.write(`… ${run.discrepancies - rows.length} more: --format csv or json prints them all\n`);
}

function row(d: StoredDiscrepancy): Record<string, unknown> {
  const value = (v: unknown) => (v === undefined ? '' : JSON.stringify(v));
  return { id: d.id, kind: d.kind, system: d.system, key: d.key, field: d.field ?? '', expected: value(d.expected), actual: value(d.actual), heal: d.healStatus };
}

function kindsText(run: ReconcileRun): string {
  return Object.entries(run.kinds).map(([k, n]) => `${k} ${n}`).join(', ');
}

function checkFormat(format: string | undefined): string {
  if (format === undefined || !FORMATS.includes(format)) throw validationError(`--format must be table, csv or json, got "${format}"`);
  return format;
}

function positive(value: string | undefined, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw validationError(`${what} must be a positive whole number, got "${value}"`);
  return n;
}

/**
 * A subcommand's options with `reconcile`'s own (-c, --format, --limit): Commander gives an
 * option both declare to the parent, so subcommands declare only theirs and read the rest here.
 */
function merged(local: Options, cmd: Command): Options {
  return { ...cmd.optsWithGlobals<Options>(), ...local };
}

async function withService(opts: Options, fn: (service: ReconcileService, opts: Options) => Promise<void>): Promise<void> {
  const [{ openRuntime }, { ReconcileService }, { requireSystems }, { systemClock }] = await Promise.all([
    import('../runtime.ts'),
    import('../../sync/reconcile-service.ts'),
    import('../../sync/systems/systems.ts'),
    import('../../core/clock.ts'),
  ]);
  const rt = await openRuntime({ configFile: opts.config });
  try {
    await fn(new ReconcileService({ store: rt.store, clock: systemClock, systems: () => requireSystems(rt.systems) }), opts);
  } finally {
    await rt.close();
  }
}
