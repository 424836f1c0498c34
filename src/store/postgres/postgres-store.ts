/**
 * The scale-out store: PostgreSQL shared by any number of API and worker processes. Work is
 * claimed with `FOR UPDATE SKIP LOCKED`; idle workers are woken with `LISTEN/NOTIFY` and still
 * poll, so a lost notification only costs latency.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../schema.ts';
import { WAKE_CHANNELS, type SimpleSession, type StatementResult, type Store, type TransactionOptions, type WakeChannel } from '../store.ts';
import { WakeSignals } from '../wake-signals.ts';

// Timestamps are epoch milliseconds in BIGINT columns; they fit a JS number exactly.
const INT8_OID = 20;
const types = {
  getTypeParser: (oid: number, format?: string) =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
};

// The mark of `preparedStatement` (store.ts).
const PREPARED = /^\/\* prepared:([\w-]+) \*\//;

// Kysely's driver calls `query(text, values)`; a marked text is handed to node-pg as a named
// statement, which node-pg prepares on the connection the first time and reuses after.
function prepareNamedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
    const name = typeof config === 'string' && Array.isArray(values) ? PREPARED.exec(config)?.[1] : undefined;
    return name === undefined ? query(config, values, callback) : query({ name, text: config, values }, callback);
  };
}

/** Connects to PostgreSQL at `url` with a pool of `poolSize`. Migrations are run by the caller. */
export async function openPostgresStore(url: string, poolSize = 10): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types });
  // An idle connection that the server drops (restart, failover) must not crash the process;
  // the pool replaces it and the next query reports any lasting problem.
  pool.on('error', () => undefined);
  pool.on('connect', prepareNamedStatements);
  // Fail now, with the server's own message, rather than at the first query.
  const client = await pool.connect();
  client.release();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new PostgresStore(db, pool, url);
}

class PostgresStore implements Store {
  readonly dialect = 'postgres' as const;
  readonly lockClause = 'FOR UPDATE SKIP LOCKED';
  readonly db: Kysely<Database>;
  readonly #pool: pg.Pool;
  readonly #url: string;
  readonly #signals = new WakeSignals();
  readonly #pendingNotify = new Set<WakeChannel>();
  /** Identifies this process's notifications, so that it does not wake itself twice. */
  readonly #origin = randomUUID();
  #listener: pg.Client | undefined;
  #listening: Promise<void> | undefined;
  #closed = false;

  constructor(db: Kysely<Database>, pool: pg.Pool, url: string) {
    this.db = db;
    this.#pool = pool;
    this.#url = url;
  }

  transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>, options?: TransactionOptions): Promise<T> {
    if (options?.durable !== false) return this.db.transaction().execute(fn);
    // BEGIN and the relaxed commit setting in one simple-protocol query (no parameters, so
    // several statements are allowed): a round trip less for every routing, claim and completion.
    return this.db.connection().execute(async (conn) => {
      await sql`BEGIN; SET LOCAL synchronous_commit TO OFF`.execute(conn);
      let result: T;
      try {
        result = await fn(conn);
      } catch (err) {
        await sql`ROLLBACK`.execute(conn).catch(() => undefined);
        throw err;
      }
      // As Kysely does: a statement error caught inside `fn` left the transaction aborted, and
      // PostgreSQL then answers COMMIT with ROLLBACK.
      const { rows } = await sql<{ command?: string }>`COMMIT`.execute(conn);
      if (rows[0]?.command === 'ROLLBACK') throw new Error('the transaction was aborted by an earlier error and rolled back');
      return result;
    });
  }

  async withSession<T>(fn: (session: SimpleSession) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let failed = false;
    try {
      return await fn({
        query: async (text) => {
          // No parameters: node-pg sends the simple protocol, which allows several statements.
          const answer = (await client.query(text)) as pg.QueryResult | pg.QueryResult[];
          return (Array.isArray(answer) ? answer : [answer]).map((r): StatementResult => ({ command: r.command, rows: r.rows ?? [] }));
        },
        literal: (value) => pg.escapeLiteral(value),
      });
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      // Discarding the connection after a failure ends whatever transaction it had open.
      client.release(failed);
    }
  }

  notify(channel: WakeChannel): void {
    this.#signals.signal(channel);
    // Coalesce: at most one NOTIFY per channel per 5 ms. Each is a round trip on a pooled
    // connection, and other processes only need to know that there is work, not how often.
    if (this.#pendingNotify.has(channel)) return;
    this.#pendingNotify.add(channel);
    setTimeout(() => {
      this.#pendingNotify.delete(channel);
      if (this.#closed) return;
      this.#pool.query('SELECT pg_notify($1, $2)', [WAKE_CHANNELS[channel], this.#origin]).catch(() => {
        // A lost wake-up only delays work until the next poll.
      });
    }, 5);
  }

  listen(channel: WakeChannel, listener: () => void): () => void {
    this.#listening ??= this.#startListening();
    return this.#signals.add(channel, listener);
  }

  async #startListening(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url });
    client.on('error', () => {
      // The listener is a latency optimisation; polling carries on without it.
    });
    client.on('notification', (msg) => {
      // Our own NOTIFY: the local listeners were signalled when it was sent.
      if (msg.payload === this.#origin) return;
      const entry = Object.entries(WAKE_CHANNELS).find(([, name]) => name === msg.channel);
      if (entry !== undefined) this.#signals.signal(entry[0] as WakeChannel);
    });
    try {
      await client.connect();
      for (const name of Object.values(WAKE_CHANNELS)) await client.query(`LISTEN ${name}`);
      this.#listener = client;
    } catch {
      await client.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#listening;
    await this.#listener?.end().catch(() => undefined);
    await this.db.destroy();
  }
}
