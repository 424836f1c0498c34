/**
 * `interlock secrets set | list | rotate-master`: encrypted secrets from the command line. A
 * value is read from stdin only (never an argument, which would land in shell history and `ps`),
 * and no command ever prints one. The master key comes from `INTERLOCK_MASTER_KEY` or
 * `INTERLOCK_MASTER_KEY_FILE`; `rotate-master` takes the new one from `INTERLOCK_NEW_MASTER_KEY`
 * or `INTERLOCK_NEW_MASTER_KEY_FILE`.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { validationError } from '../../core/errors.ts';
import type { MasterKey } from '../../security/master-key.ts';
import type { Secrets } from '../../security/secrets.ts';

interface Options {
  config?: string;
  json?: boolean;
}

/** Registers `interlock secrets` and its subcommands. */
export function registerSecrets(program: Command): void {
  const secrets = program.command('secrets').description('store encrypted secrets and rotate the master key (values are never printed)');
  const withConfig = (c: Command) => c.option('-c, --config <file>', 'configuration file (default: ./interlock.yaml if present)');

  withConfig(secrets.command('set <name>'))
    .description('set (or rotate) a secret; the value is read from stdin, e.g. `interlock secrets set stripe < key.txt`')
    .action((name: string, opts: Options) =>
      withSecrets(opts, async (s, actor) => {
        const value = (await readStdin()).replace(/\r?\n$/, '');
        if (value === '') throw validationError('no value on stdin: pipe the secret in, e.g. `interlock secrets set <name> < file`');
        const meta = await s.set(name, value, actor);
        process.stdout.write(`secret ${meta.name} set (version ${meta.version}, master key ${meta.masterKeyId})\n`);
      }),
    );

  withConfig(secrets.command('list'))
    .description('list secrets: names and metadata only')
    .option('--json', 'print JSON instead of a table')
    .action((opts: Options) =>
      withSecrets(opts, async (s) => {
        const items = await s.list();
        if (opts.json === true) return void process.stdout.write(JSON.stringify(items, null, 2) + '\n');
        if (items.length === 0) return void process.stdout.write('no secrets\n');
        console.table(items.map((m) => ({ name: m.name, version: m.version, masterKey: m.masterKeyId, updated: new Date(m.updatedAt).toISOString() })));
      }),
    );

  withConfig(secrets.command('rotate-master'))
    .description('re-wrap every data key under INTERLOCK_NEW_MASTER_KEY(_FILE) (make one with `openssl rand -base64 32`); values are not re-encrypted')
    .action((opts: Options) =>
      withSecrets(opts, async (s, actor, loadKey) => {
        const next = loadKey('INTERLOCK_NEW_MASTER_KEY');
        const { rewrapped } = await s.rotateMaster(next, actor);
        process.stdout.write(`re-wrapped ${rewrapped} data key${rewrapped === 1 ? '' : 's'} under master key ${next.id}; start Interlock with the new key from now on\n`);
      }),
    );
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY === true) process.stderr.write('enter the value, then Ctrl-D:\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function withSecrets(opts: Options, fn: (secrets: Secrets, actor: string, loadKey: (prefix: string) => MasterKey) => Promise<void>): Promise<void> {
  const [{ systemClock }, { loadConfig }, { openStore }, { Secrets }, { AuditLog }, { loadMasterKey }] = await Promise.all([
    import('../../core/clock.ts'),
    import('../../core/config.ts'),
    import('../../store/open-store.ts'),
    import('../../security/secrets.ts'),
    import('../../security/audit-log.ts'),
    import('../../security/master-key.ts'),
  ]);
  const config = loadConfig({ file: opts.config });
  const master = loadMasterKey();
  const store = await openStore(config.store);
  try {
    await fn(new Secrets(store, new AuditLog(store, systemClock), systemClock, master), `cli:${userInfo().username}`, (prefix) => loadMasterKey(process.env, prefix));
  } finally {
    await store.close();
  }
}
