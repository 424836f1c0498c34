/**
 * The store: one query layer (Kysely) over two databases. SQLite (node:sqlite, WAL) is the
 * embedded default for one process; PostgreSQL serves any number of processes on any number of
 * machines. Everything above this folder talks to a {@link Store} and never to a driver.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** Which database a store runs on; queries that differ by dialect branch on it. */
export type Dialect = 'sqlite' | 'postgres';

/** Configuration of the store, from the `store` section of the config. */
export interface StoreConfig {
  /** Which database. @default 'sqlite' */
  kind: Dialect;
  /** SQLite file path (`:memory:` for a throw-away store). @default './data/interlock.db' */
  sqlitePath: string;
  /** PostgreSQL connection URL, used when `kind` is `postgres`. */
  postgresUrl?: string | undefined;
  /** PostgreSQL pool size per process. @default 10 */
  poolSize?: number | undefined;
}

/** A handle on the database: the typed query builder, transactions, wake-up signals. */
export interface Store {
  /** Which database this is. */
  readonly dialect: Dialect;
  /** The typed query builder. */
  readonly db: Kysely<Database>;
  /** Runs `fn` in one transaction: all its writes commit together or none do. */
  transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Wakes whoever listens on `channel`, in this process and (PostgreSQL) in every other process
   * of the deployment. A hint only: listeners still poll, so a lost signal costs latency, not data.
   */
  notify(channel: WakeChannel): void;
  /** Calls `listener` when `channel` is notified; returns a function that stops listening. */
  listen(channel: WakeChannel, listener: () => void): () => void;
  /** Clause that locks claimed rows against other workers (`FOR UPDATE SKIP LOCKED` on PostgreSQL). */
  readonly lockClause: string;
  /**
   * PostgreSQL only: runs `fn` with one connection of its own for a few simple-protocol exchanges
   * (several statements per exchange, values as literals), for hot paths whose round trips count.
   * A failed exchange discards the connection, so an open transaction on it is rolled back.
   */
  withSession?<T>(fn: (session: SimpleSession) => Promise<T>): Promise<T>;
  /**
   * SQLite only: runs `fn` as one transaction straight on the connection, synchronously — no
   * query builder and no promise per statement — for hot paths of many small statements (the
   * webhook intake). Same durability as {@link transaction}; a throw rolls it back. It waits for,
   * and holds off, the query builder's own use of the connection.
   */
  syncTransaction?<T>(fn: (db: SyncConnection) => T, options?: TransactionOptions): Promise<T>;
  /** Closes connections. */
  close(): Promise<void>;
}

/** Options of one transaction. */
export interface TransactionOptions {
  /**
   * Whether the commit must be on disk before it returns. Only what is acknowledged to someone
   * outside (an accepted webhook, an operator's replay) needs it. Work the engine can redo
   * idempotently (routing, claims, delivery outcomes) passes `false`: a power failure may then
   * roll the store back to an earlier consistent state — never a torn one, and a process crash
   * loses nothing — and the redo is absorbed by idempotency keys. SQLite commits it in WAL mode
   * with `synchronous=NORMAL`; PostgreSQL with `synchronous_commit = off`.
   * @default true
   */
  durable?: boolean;
}

/** The wake-up channels the engine uses. */
export type WakeChannel = 'inbox' | 'outbox' | 'runs';

/** The channel names on the wire (PostgreSQL NOTIFY), one place for both dialects. */
export const WAKE_CHANNELS: Readonly<Record<WakeChannel, string>> = {
  inbox: 'interlock_inbox',
  outbox: 'interlock_outbox',
  runs: 'interlock_runs',
};

/** One connection's simple-protocol exchanges (see {@link Store.withSession}). */
export interface SimpleSession {
  /** Sends `text` (one or more statements, no parameters); resolves to each statement's result. */
  query(text: string): Promise<StatementResult[]>;
  /** `value` as a quoted SQL string literal. */
  literal(value: string): string;
}

/** What one statement of an exchange answered. */
export interface StatementResult {
  command: string;
  rows: Array<Record<string, unknown>>;
}

/** A value bound to, or read from, a SQLite statement. */
export type SqlValue = null | number | bigint | string | Uint8Array;

/** Synchronous statements on the SQLite connection (see {@link Store.syncTransaction}); each text is prepared once. */
export interface SyncConnection {
  /** Runs `sql` with `params`; resolves to the rows it returns. */
  all(sql: string, params: readonly SqlValue[]): Array<Record<string, SqlValue>>;
  /** Runs `sql` with `params`; resolves to the number of rows it changed. */
  run(sql: string, params: readonly SqlValue[]): number;
}

/**
 * Marks a statement to run as a named prepared statement on PostgreSQL (SQLite's connection
 * prepares every statement anyway): a text that starts with
 * `/* prepared:<name> *\/` is parsed and planned once per connection (the server may then keep a
 * generic plan), instead of at every execution. For a hot statement whose text never changes and
 * whose planning costs as much as its execution (the webhook intake's batch insert). Behind a
 * connection pooler in transaction mode, the pooler must support prepared statements (PgBouncer
 * 1.21+ with `max_prepared_statements`).
 */
export function preparedStatement(name: string, text: string): string {
  return `/* prepared:${name} */ ${text}`;
}
