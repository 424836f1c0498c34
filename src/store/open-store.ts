/**
 * Opens the configured store and brings its schema up to date.
 */
import { Migrator, type MigrationProvider } from 'kysely';
import { InterlockError, transientError } from '../core/errors.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store, StoreConfig } from './store.ts';

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

/** Opens the store of `config` and applies pending migrations. */
export async function openStore(config: StoreConfig): Promise<Store> {
  let store: Store;
  if (config.kind === 'postgres') {
    if (config.postgresUrl === undefined) {
      throw new InterlockError('validation', 'store.postgres.url is required when store.kind is "postgres"');
    }
    try {
      store = await openPostgresStore(config.postgresUrl, config.poolSize);
    } catch (err) {
      throw transientError(`cannot reach PostgreSQL at ${redactUrl(config.postgresUrl)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  } else {
    store = openSqliteStore(config.sqlitePath);
  }
  try {
    await migrate(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrate(store: Store): Promise<void> {
  const { error, results } = await new Migrator({ db: store.db, provider }).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new InterlockError('unexpected', `migration ${failed} failed: ${(error as Error).message}`, { cause: error });
  }
}

/** Whether every known migration has been applied (for `/readyz`). */
export async function migrationsApplied(store: Store): Promise<boolean> {
  const applied = await new Migrator({ db: store.db, provider }).getMigrations();
  return applied.every((m) => m.executedAt !== undefined);
}

/** Hides the password of a connection URL for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
