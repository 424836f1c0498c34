/**
 * `applied_versions`: the version of the last event applied to each object of a source (a
 * Stripe subscription, a Stripe invoice), so a flow recognises an event older than what it
 * already applied — delivered late or out of order — and skips it with a record instead of
 * writing an old state over a newer one.
 */
import type { Kysely, Migration } from 'kysely';

/** `applied_versions`: one row per (source, object). */
export interface AppliedVersionTable {
  /** Whose object, e.g. `stripe`. */
  source: string;
  /** The object's id in that source, e.g. `sub_…` or `in_…`. */
  object_id: string;
  /** JSON array of numbers, compared element by element; greater is newer. */
  rank: string;
  /** The event that set it, for the record. */
  event_id: string;
  updated_at: number;
}

/** The table, for the store's Database type. */
export interface AppliedVersionTables {
  applied_versions: AppliedVersionTable;
}

/** Creates `applied_versions`. */
export const appliedVersionsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('applied_versions')
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('object_id', 'text', (c) => c.notNull())
      .addColumn('rank', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('applied_versions_pk', ['source', 'object_id'])
      .execute();
  },
};
