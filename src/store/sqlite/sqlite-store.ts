/**
 * The embedded store: one process, one SQLite file in WAL mode with `synchronous=FULL`, so a
 * commit is on disk before anything is acknowledged. Writers group their work into few
 * transactions (see `engine/group-commit.ts`), which is what keeps throughput off the one-fsync-
 * per-event floor.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from '../schema.ts';
import type { Store, TransactionOptions, WakeChannel } from '../store.ts';
import { WakeSignals } from '../wake-signals.ts';
import { NodeSqliteDatabase } from './node-sqlite-database.ts';

/** Opens (creating if needed) the SQLite store at `file`. Migrations are run by the caller. */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const database = new NodeSqliteDatabase(file);
  database.raw.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
    PRAGMA busy_timeout = 5000;
    PRAGMA foreign_keys = ON;
  `);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return new SqliteStore(db);
}

class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  // One process owns the file, so there is nobody to lock rows against.
  readonly lockClause = '';
  readonly db: Kysely<Database>;
  readonly #signals = new WakeSignals();

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>, options?: TransactionOptions): Promise<T> {
    if (options?.durable !== false) return this.db.transaction().execute(fn);
    // `synchronous` is per connection: switch it while holding the (only) connection, so that no
    // durable transaction can run in between. A later durable commit syncs these WAL frames too.
    return this.db.connection().execute(async (conn) => {
      await sql`PRAGMA synchronous = NORMAL`.execute(conn);
      try {
        return await conn.transaction().execute(fn);
      } finally {
        await sql`PRAGMA synchronous = FULL`.execute(conn);
      }
    });
  }

  notify(channel: WakeChannel): void {
    this.#signals.signal(channel);
  }

  listen(channel: WakeChannel, listener: () => void): () => void {
    return this.#signals.add(channel, listener);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
