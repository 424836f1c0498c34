/**
 * Indexes that make every lineage lookup an index seek, whatever the size of the tables: an inbox
 * event by its id, the messages routed from an event (`outbox.inbox_id`), runs by their business
 * key and by their trace (an event's runs share its `traceparent`), cross-references by a system's
 * id, and the dead letters of a run or a message. Nothing indexes what inbox headers hold: every
 * inbound event would pay for it (lineage finds a run's event by the id its body names).
 */
import { sql, type Kysely, type Migration } from 'kysely';

/** Adds the lineage lookup indexes. */
export const lineageLookupsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.createIndex('inbox_event_id').on('inbox').column('event_id').execute();
    await db.schema.createIndex('outbox_inbox_id').on('outbox').column('inbox_id').where(sql.ref('inbox_id'), 'is not', null).execute();
    await db.schema.createIndex('flow_runs_key').on('flow_runs').column('key').execute();
    await db.schema.createIndex('flow_runs_traceparent').on('flow_runs').column('traceparent').where(sql.ref('traceparent'), 'is not', null).execute();
    await db.schema.createIndex('xrefs_external_id').on('xrefs').column('external_id').execute();
    await db.schema.createIndex('dead_letters_message').on('dead_letters').columns(['kind', 'message_id']).execute();
  },
};
