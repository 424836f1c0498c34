/**
 * Indexes that make every lineage lookup an index seek, whatever the size of the tables: an inbox
 * event by its id and by the `traceparent` its headers carry (the runs it started share it), the
 * messages routed from an event (`outbox.inbox_id`), runs by their business key and by their
 * trace, cross-references by a system's id, and the dead letters of a run or a message.
 */
import { sql, type Kysely, type Migration, type RawBuilder } from 'kysely';
import { dialectOf } from './columns.ts';

/**
 * The `traceparent` an inbox row's headers carry, as SQL. The index below is on exactly this
 * expression (and only for rows whose headers name one), so a query must use it verbatim, with
 * {@link INBOX_HAS_TRACEPARENT}, to be answered from the index.
 */
export function inboxTraceparent(dialect: 'sqlite' | 'postgres'): RawBuilder<string | null> {
  return dialect === 'postgres' ? sql<string | null>`(headers::json ->> 'traceparent')` : sql<string | null>`json_extract(headers, '$.traceparent')`;
}

/** The partial index's condition: rows without a trace (tracing off) are not indexed at all. */
export const INBOX_HAS_TRACEPARENT = sql<boolean>`headers LIKE '%"traceparent"%'`;

/** Adds the lineage lookup indexes. */
export const lineageLookupsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const dialect = dialectOf(db);
    await db.schema.createIndex('inbox_event_id').on('inbox').column('event_id').execute();
    await sql`CREATE INDEX inbox_traceparent ON inbox (${inboxTraceparent(dialect)}) WHERE ${INBOX_HAS_TRACEPARENT}`.execute(db);
    await db.schema.createIndex('outbox_inbox_id').on('outbox').column('inbox_id').where(sql.ref('inbox_id'), 'is not', null).execute();
    await db.schema.createIndex('flow_runs_key').on('flow_runs').column('key').execute();
    await db.schema.createIndex('flow_runs_traceparent').on('flow_runs').column('traceparent').where(sql.ref('traceparent'), 'is not', null).execute();
    await db.schema.createIndex('xrefs_external_id').on('xrefs').column('external_id').execute();
    await db.schema.createIndex('dead_letters_message').on('dead_letters').columns(['kind', 'message_id']).execute();
  },
};
