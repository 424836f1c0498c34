/**
 * The store conformance harness: `describeEachStore` runs one suite against SQLite and against
 * PostgreSQL. Each PostgreSQL suite gets a database of its own, dropped afterwards. In CI
 * (`CI=true`) PostgreSQL is mandatory and an unreachable server fails the suite; elsewhere the
 * PostgreSQL half is skipped with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.ts';
import type { Dialect, Store } from '../../src/store/store.ts';

/** The PostgreSQL server tests use; override with INTERLOCK_TEST_PG_URL. */
export const TEST_PG_URL = process.env.INTERLOCK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A store made for one suite, with the means to open more connections to the same database. */
export interface TestStore {
  readonly store: Store;
  readonly dialect: Dialect;
  /** Store config of this database, for child processes and second workers. */
  readonly config: { kind: Dialect; sqlitePath: string; postgresUrl?: string };
}

let pgReachable: Promise<string | undefined> | undefined;

/** Resolves to undefined when PostgreSQL answers, else to the reason it does not. */
export function postgresUnavailable(): Promise<string | undefined> {
  pgReachable ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (err) {
      return `PostgreSQL at ${TEST_PG_URL} is unreachable (${(err as Error).message})`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgReachable;
}

/** Creates a fresh database on the test server and returns its URL and a drop function. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `interlock_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Creates a store of `dialect` in a fresh place; `dispose` removes it. */
export async function createTestStore(dialect: Dialect): Promise<TestStore & { dispose: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'interlock-test-'));
    const config = { kind: 'sqlite' as const, sqlitePath: path.join(dir, 'interlock.db') };
    const store = await openStore(config);
    return {
      store,
      dialect,
      config,
      dispose: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const database = await createTestDatabase();
  const config = { kind: 'postgres' as const, sqlitePath: '', postgresUrl: database.url };
  const store = await openStore(config);
  return {
    store,
    dialect,
    config,
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
}

/**
 * Runs `suite` once per store. `get()` returns the suite's store inside tests (it is created in
 * a `before` hook). Outside CI the PostgreSQL run is skipped when the server is unreachable.
 */
export function describeEachStore(title: string, suite: (get: () => TestStore) => void): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    describe(`${title} [${dialect}]`, async () => {
      if (dialect === 'postgres' && process.env.CI !== 'true') {
        const reason = await postgresUnavailable();
        if (reason !== undefined) {
          describe('skipped', { skip: `${reason}; set CI=true to make this a failure` }, () => undefined);
          return;
        }
      }
      let current: (TestStore & { dispose: () => Promise<void> }) | undefined;
      before(async () => {
        current = await createTestStore(dialect);
      });
      suite(() => {
        if (current === undefined) throw new Error('store not ready: use get() inside tests or hooks');
        return current;
      });
      // Registered after the suite's own hooks, so it runs after them: the suite stops what it
      // started (servers, engines) before its store is closed.
      after(async () => {
        await current?.dispose();
      });
    });
  }
}
