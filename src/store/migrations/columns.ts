/**
 * Column helpers for migrations that must create the same table on SQLite and PostgreSQL.
 * Conventions: text ids or auto-increment integer ids, BIGINT epoch-millisecond timestamps, JSON
 * kept as text (the engine never queries inside payloads; it stores and forwards them).
 */
import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

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


/**
 * Makes `table` append-only in the database itself, not only in code: an UPDATE or DELETE on it
 * fails, whoever issues it (a trigger on either database). `table` is a name from our own code.
 */
export async function makeAppendOnly(db: Kysely<unknown>, table: string): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql
      .raw(`CREATE FUNCTION ${table}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '${table} is append-only'; END; $$`)
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION ${table}_refuse()`)
      .execute(db);
    return;
  }
  for (const op of ['UPDATE', 'DELETE']) {
    await sql
      .raw(`CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table}
        BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`)
      .execute(db);
  }
}
