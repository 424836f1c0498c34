/**
 * `interlock keys create | list | revoke`: API keys of the admin API, straight from the store.
 * A new key is printed once, on stdout alone (so `$(interlock keys create …)` captures just the
 * key); only its hash is kept.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { validationError } from '../../core/errors.ts';
import type { ApiKeys } from '../../security/api-keys.ts';

interface Options {
  config?: string;
  role?: string;
  label?: string;
  expires?: string;
  json?: boolean;
}

/** Registers `interlock keys` and its subcommands. */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('create, list and revoke API keys of the admin API');
  const withConfig = (c: Command) => c.option('-c, --config <file>', 'configuration file (default: ./interlock.yaml if present)');

  withConfig(keys.command('create'))
    .description('issue a key (printed once) with a role: viewer, operator, approver or admin')
    .requiredOption('--role <role>', 'viewer | operator | approver | admin')
    .option('--label <text>', 'what the key is for', '')
    .option('--expires <when>', 'expiry: a duration from now ("90d", "12h") or an ISO date-time')
    .action((opts: Options) =>
      withKeys(opts, async (k, actor) => {
        const { isRole } = await import('../../security/roles.ts');
        if (!isRole(opts.role)) throw validationError(`--role must be viewer, operator, approver or admin, got "${opts.role ?? ''}"`);
        const expiresAt = opts.expires === undefined ? undefined : await parseExpiry(opts.expires);
        const { key, record } = await k.create({ role: opts.role, label: opts.label ?? '', expiresAt, actor });
        process.stderr.write(`created key ${record.id} (${record.role}); it is shown once, store it now\n`);
        process.stdout.write(`${key}\n`);
      }),
    );

  withConfig(keys.command('list'))
    .description('list keys (never the keys themselves): id, role, label, created, expiry, last use, revocation')
    .option('--json', 'print JSON instead of a table')
    .action((opts: Options) =>
      withKeys(opts, async (k) => {
        const items = await k.list();
        if (opts.json === true) return void process.stdout.write(JSON.stringify(items, null, 2) + '\n');
        if (items.length === 0) return void process.stdout.write('no API keys\n');
        const iso = (t: number | null) => (t === null ? '' : new Date(t).toISOString());
        console.table(
          items.map((r) => ({ id: r.id, role: r.role, label: r.label, created: iso(r.createdAt), expires: iso(r.expiresAt), lastUsed: iso(r.lastUsedAt), revoked: iso(r.revokedAt) })),
        );
      }),
    );

  withConfig(keys.command('revoke <id>'))
    .description('revoke a key; it is refused from then on')
    .action((id: string, opts: Options) =>
      withKeys(opts, async (k, actor) => {
        const r = await k.revoke(id, actor);
        process.stdout.write(`revoked key ${r.id} (${r.role})\n`);
      }),
    );
}

async function parseExpiry(text: string): Promise<number> {
  const { default: ms } = await import('ms');
  const relative = /^\d+(\.\d+)?\s*(ms|s|m|h|d)$/.test(text) ? ms(text.replace(/\s+/g, '') as Parameters<typeof ms>[0]) : undefined;
  const at = typeof relative === 'number' ? Date.now() + relative : Date.parse(text);
  if (!Number.isFinite(at)) throw validationError(`--expires must be a duration such as "90d" or an ISO date-time, got "${text}"`);
  return at;
}

async function withKeys(opts: Options, fn: (keys: ApiKeys, actor: string) => Promise<void>): Promise<void> {
  const [{ systemClock }, { loadConfig }, { openStore }, { ApiKeys }, { AuditLog }] = await Promise.all([
    import('../../core/clock.ts'),
    import('../../core/config.ts'),
    import('../../store/open-store.ts'),
    import('../../security/api-keys.ts'),
    import('../../security/audit-log.ts'),
  ]);
  const config = loadConfig({ file: opts.config });
  const store = await openStore(config.store);
  try {
    await fn(new ApiKeys(store, new AuditLog(store, systemClock), systemClock), `cli:${userInfo().username}`);
  } finally {
    await store.close();
  }
}
