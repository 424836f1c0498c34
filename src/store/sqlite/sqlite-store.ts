/**
 * The embedded store: one process, one SQLite file in WAL mode; a durable transaction is on disk
 * before it resolves, so before anything is acknowledged. Its fsync runs off the event loop (see
 * {@link WalSync}); statements outside transactions keep `synchronous=FULL`. Writers group their
 * work into few transactions (see `engine/group-commit.ts`), which is what keeps throughput off
 * the one-fsync-per-event floor.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../schema.ts';
import type { Store, SyncConnection, TransactionOptions, WakeChannel } from '../store.ts';
import { WakeSignals } from '../wake-signals.ts';
import { NodeSqliteDatabase } from './node-sqlite-database.ts';
import { startCheckpointer, type Checkpointer } from './checkpointer.ts';
import { WalSync, walFsync } from './wal-sync.ts';

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
  // A memory database has nothing to flush, nor a WAL to checkpoint.
  if (file === ':memory:') return new SqliteStore(db, database, undefined, undefined);
  const wal = walFsync(path.resolve(file));
  // Checkpoints run on a worker thread (see checkpointer.ts); should it die, SQLite's own
  // automatic checkpoints take over again.
  database.raw.exec('PRAGMA wal_autocheckpoint = 0');
  const checkpointer = startCheckpointer(path.resolve(file), () => {
    if (database.raw.isOpen) database.raw.exec('PRAGMA wal_autocheckpoint = 1000');
  });
  return new SqliteStore(db, database, { sync: new WalSync(wal.fsync), close: wal.close }, checkpointer);
}

// Compiled once: they run around every transaction.
const RELAXED = CompiledQuery.raw('PRAGMA synchronous = NORMAL');
const FULL = CompiledQuery.raw('PRAGMA synchronous = FULL');

class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  // One process owns the file, so there is nobody to lock rows against.
  readonly lockClause = '';
  readonly db: Kysely<Database>;
  readonly #database: NodeSqliteDatabase;
  readonly #signals = new WakeSignals();
  readonly #wal: { sync: WalSync; close: () => Promise<void> } | undefined;
  readonly #checkpointer: Checkpointer | undefined;

  constructor(db: Kysely<Database>, database: NodeSqliteDatabase, wal: { sync: WalSync; close: () => Promise<void> } | undefined, checkpointer: Checkpointer | undefined) {
    this.db = db;
    this.#database = database;
    this.#wal = wal;
    this.#checkpointer = checkpointer;
  }

  async transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>, options?: TransactionOptions): Promise<T> {
    // `synchronous` is per connection: switch it while holding the (only) connection, so that no
    // statement outside a transaction runs with NORMAL in between.
    const result = await this.db.connection().execute(async (conn) => {
      await conn.executeQuery(RELAXED);
      try {
        return await conn.transaction().execute(fn);
      } finally {
        await conn.executeQuery(FULL);
      }
    });
    // Durable: resolve only once the commit is on disk, without stalling the event loop for it.
    if (options?.durable !== false) await this.#wal?.sync.sync();
    return result;
  }

  async syncTransaction<T>(fn: (db: SyncConnection) => T, options?: TransactionOptions): Promise<T> {
    // Holding Kysely's connection waits for a transaction of the query builder to end first.
    const result = await this.db.connection().execute(async () => this.#database.transactionSync(fn));
    if (options?.durable !== false) await this.#wal?.sync.sync();
    return result;
  }

  notify(channel: WakeChannel): void {
    this.#signals.signal(channel);
  }

  listen(channel: WakeChannel, listener: () => void): () => void {
    return this.#signals.add(channel, listener);
  }

  async close(): Promise<void> {
    // The checkpointer's connection closes first, so that ours is the last and folds the WAL in.
    await this.#checkpointer?.stop();
    await this.db.destroy();
    await this.#wal?.close();
  }
}
