/**
 * Retention finds delivered (and discarded) messages by `delivered_at`, which only those have.
 * The index it used, `outbox_retention (status, delivered_at)`, held every message from its
 * enqueue on and moved its entry at every status change (claim, retry, delivery): three index
 * writes per message that no query needed. The partial index on `delivered_at` gets one entry,
 * when the message is delivered or discarded; `delivered_at < cutoff` implies the index's
 * condition on both databases, so retention and the delivered-since figures still seek it.
 */
import { sql, type Kysely, type Migration } from 'kysely';

/** Replaces `outbox_retention` with the partial `outbox_delivered_at`. */
export const outboxRetentionIndexMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('outbox_retention').execute();
    await db.schema.createIndex('outbox_delivered_at').on('outbox').column('delivered_at').where(sql.ref('delivered_at'), 'is not', null).execute();
  },
};
