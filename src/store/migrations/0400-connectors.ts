/**
 * The connectors' tables: `connector_cursors` keeps where each trigger of each connector instance
 * has read up to (a Change Data Capture replay id, a polling watermark), so a restart resumes
 * there instead of re-reading or skipping.
 */
import type { Kysely, Migration } from 'kysely';

/** `connector_cursors`: one row per (connector instance, cursor name). */
export interface ConnectorCursorTable {
  /** The connector instance, e.g. `salesforce:prod`. */
  connector: string;
  /** Which cursor of that instance, e.g. `cdc:/data/ChangeEvents`. */
  name: string;
  /** Opaque to the store: the connector decides what a position looks like. */
  value: string;
  /** Bumped on every write; what compare-and-set compares besides the value. */
  version: number;
  updated_at: number;
}

/** The connector tables, for the store's Database type. */
export interface ConnectorTables {
  connector_cursors: ConnectorCursorTable;
}

/** Creates `connector_cursors`. */
export const connectorsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('connector_cursors')
      .addColumn('connector', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('connector_cursors_pk', ['connector', 'name'])
      .execute();
  },
};
