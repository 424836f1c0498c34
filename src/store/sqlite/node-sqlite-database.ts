/**
 * Adapts Node's built-in `node:sqlite` to the small `SqliteDatabase` shape Kysely's SQLite dialect
 * drives. node:sqlite takes parameters as arguments rather than an array and has no `reader`
 * flag, so this wrapper supplies both, and caches prepared statements: re-preparing the same SQL
 * on every call would cost more than running it.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import type { SqlValue, SyncConnection } from '../store.ts';

type Param = null | number | bigint | string | NodeJS.ArrayBufferView;

/** A `SqliteDatabase` for Kysely over a `node:sqlite` `DatabaseSync`. */
export class NodeSqliteDatabase implements SqliteDatabase {
  readonly raw: DatabaseSync;
  readonly #statements = new Map<string, SqliteStatement>();
  readonly #direct = new Map<string, StatementSync>();
  /** The connection's statements without Kysely, for {@link transactionSync}. */
  readonly #sync: SyncConnection = {
    all: (sql, params) => this.#statement(sql).all(...params) as Array<Record<string, SqlValue>>,
    run: (sql, params) => Number(this.#statement(sql).run(...params).changes),
  };

  constructor(path: string) {
    this.raw = new DatabaseSync(path);
  }

  prepare(text: string): SqliteStatement {
    // Kysely begins transactions DEFERRED. One that reads and then writes cannot wait for the
    // write lock: if another process (a CLI command, a second worker) committed in between, SQLite
    // fails the write at once with SQLITE_BUSY, busy_timeout or not. IMMEDIATE takes the write
    // lock at the start, where busy_timeout does wait.
    const sql = text === 'begin' ? 'begin immediate' : text;
    const cached = this.#statements.get(sql);
    if (cached !== undefined) return cached;
    const stmt = this.raw.prepare(sql);
    const adapted = adapt(stmt);
    // Queries built with varying IN-list lengths produce many distinct texts; keep the cache bounded.
    if (this.#statements.size > 500) this.#statements.clear();
    this.#statements.set(sql, adapted);
    return adapted;
  }

  /**
   * Runs `fn` in one transaction, synchronously, as `SqliteStore.transaction` runs its own:
   * IMMEDIATE, committed with `synchronous=NORMAL` (the caller makes it durable), `FULL` again after.
   * The caller must hold the connection (Kysely's), so that no other transaction is open on it.
   */
  transactionSync<T>(fn: (db: SyncConnection) => T): T {
    this.#statement('PRAGMA synchronous = NORMAL').run();
    try {
      this.#statement('BEGIN IMMEDIATE').run();
      try {
        const result = fn(this.#sync);
        this.#statement('COMMIT').run();
        return result;
      } catch (err) {
        if (this.raw.isTransaction) this.#statement('ROLLBACK').run();
        throw err;
      }
    } finally {
      this.#statement('PRAGMA synchronous = FULL').run();
    }
  }

  #statement(sql: string): StatementSync {
    let stmt = this.#direct.get(sql);
    if (stmt === undefined) {
      // Texts built with varying IN-list lengths: keep the cache bounded.
      if (this.#direct.size > 500) this.#direct.clear();
      stmt = this.raw.prepare(sql);
      this.#direct.set(sql, stmt);
    }
    return stmt;
  }

  close(): void {
    this.#statements.clear();
    this.#direct.clear();
    this.raw.close();
  }
}

function adapt(stmt: StatementSync): SqliteStatement {
  return {
    reader: stmt.columns().length > 0,
    all: (params) => stmt.all(...toParams(params)),
    run: (params) => stmt.run(...toParams(params)),
    iterate: (params) => stmt.iterate(...toParams(params)),
  };
}

// node:sqlite refuses booleans and undefined; store them the way SQLite itself would.
function toParams(params: ReadonlyArray<unknown>): Param[] {
  return params.map((p) => {
    if (p === undefined) return null;
    if (typeof p === 'boolean') return p ? 1 : 0;
    return p as Param;
  });
}
