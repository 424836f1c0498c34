/**
 * `inbox_pending` only needs the rows still waiting for the inbox processor: every query that
 * reads it asks for `status = 'pending'` (the processor's batch, the intake's "older events of
 * this source wait" check, the backlog figures). As `(status, id)` it held every row from its
 * insert on — an index write per inbound event, though nearly all are stored already routed
 * (`processed`) at intake — and moved its entry when a pending row was processed. As a partial
 * index on `id` it holds the waiting rows alone: an event routed at intake writes no entry.
 * Retention (`status = 'processed'` by `processed_at`) read the old index only to skip the
 * pending rows, which it now does on the table.
 */
import { sql, type Kysely, type Migration } from 'kysely';

/** Replaces `inbox_pending (status, id)` with `inbox_pending (id) WHERE status = 'pending'`. */
export const inboxPendingPartialMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('inbox_pending').execute();
    await db.schema.createIndex('inbox_pending').on('inbox').column('id').where(sql.ref('status'), '=', sql.lit('pending')).execute();
  },
};
