/**
 * The cross-reference table the mapping language looks ids up in: which external object in which
 * system is which canonical object.
 */
import type { Kysely, Migration } from 'kysely';

/** `xrefs`: one row per (external object, canonical type). */
export interface XrefTable {
  canonical_type: string;
  canonical_id: string;
  system: string;
  object_type: string;
  external_id: string;
  created_at: number;
}

/** The mapping tables, for the store's {@link Database} type. */
export interface XrefTables {
  xrefs: XrefTable;
}

/** Creates the cross-reference table, indexed for both directions of lookup. */
export const xrefMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('xrefs')
      .addColumn('canonical_type', 'text', (c) => c.notNull())
      .addColumn('canonical_id', 'text', (c) => c.notNull())
      .addColumn('system', 'text', (c) => c.notNull())
      .addColumn('object_type', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('xrefs_pk', ['system', 'object_type', 'external_id', 'canonical_type'])
      .execute();
    await db.schema
      .createIndex('xrefs_canonical')
      .on('xrefs')
      .columns(['canonical_type', 'canonical_id', 'system', 'object_type'])
      .execute();
  },
};
