/**
 * Column helpers for migrations that must create the same table on SQLite and PostgreSQL.
 * Conventions: text ids or auto-increment integer ids, BIGINT epoch-millisecond timestamps, JSON
 * kept as text (the engine never queries inside payloads; it stores and forwards them).
 */
import type { CreateTableBuilder, Kysely } from 'kysely';

/** Which dialect a migration runs on, read from the Kysely instance's adapter. */
export function dialectOf(db: Kysely<unknown>): 'sqlite' | 'postgres' {
  return db.getExecutor().adapter.constructor.name.startsWith('Postgres') ? 'postgres' : 'sqlite';
}

/** Adds an auto-increment integer primary key named `id`. */
export function withSerialId<T extends string>(
  db: Kysely<unknown>,
  table: CreateTableBuilder<T, never>,
): CreateTableBuilder<T, 'id'> {
  return dialectOf(db) === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

