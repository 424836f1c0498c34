/** PostgreSQL-only behaviour of the store (the shared behaviour is in test/store's conformance suites). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery } from 'kysely';
import { createTestDatabase, postgresUnavailable } from '../../../test/support/stores.ts';
import type { Store } from '../store.ts';
import { preparedStatement } from '../store.ts';
import { openPostgresStore } from './postgres-store.ts';

describe('PostgreSQL store', async () => {
  const unavailable = process.env.CI === 'true' ? undefined : await postgresUnavailable();
  let store: Store | undefined;
  let drop: (() => Promise<void>) | undefined;
  before(async () => {
    if (unavailable !== undefined) return;
    const db = await createTestDatabase();
    drop = db.drop;
    // One connection: the statements below and the look at its prepared statements share it.
    store = await openPostgresStore(db.url, 1);
  });
  after(async () => {
    await store?.close();
    await drop?.();
  });

  it('runs a marked statement as a named prepared statement, prepared once per connection', { skip: unavailable }, async () => {
    const marked = preparedStatement('interlock_test_prepared', 'SELECT $1::int + 1 AS n');
    for (const n of [1, 2]) {
      const { rows } = await store!.db.executeQuery<{ n: number }>(CompiledQuery.raw(marked, [n]));
      assert.deepEqual(rows, [{ n: n + 1 }]);
    }
    await store!.db.executeQuery(CompiledQuery.raw('SELECT $1::int AS unmarked', [3]));
    const { rows } = await store!.db.executeQuery<{ name: string }>(CompiledQuery.raw('SELECT name FROM pg_prepared_statements ORDER BY name', []));
    assert.deepEqual(rows.map((r) => r.name), ['interlock_test_prepared']);
  });
});
