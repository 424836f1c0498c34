/**
 * The synchronous API's tables: `api_idempotency` keeps, per API key, what a POST with an
 * `Idempotency-Key` answered (or that it is still running), and `api_last_known` keeps the last
 * answer each downstream system gave for a record, so an operation whose downstream times out can
 * answer from it, flagged stale with its age.
 */
import type { Kysely, Migration } from 'kysely';

/** `api_idempotency`: one row per (caller, key) until it expires. */
export interface ApiIdempotencyTable {
  /** Whose key it is: the API key id (keys are scoped per caller, as Stripe scopes them per account). */
  scope: string;
  /** The client's `Idempotency-Key`. */
  key: string;
  /** `POST /v1/orders`: the route the key was first used on. */
  route: string;
  /** SHA-256 of the canonical JSON of the first request's parameters and body. */
  fingerprint: string;
  /** `in-flight` until the first request has answered, then `done`. */
  state: string;
  /** The stored answer (null while in flight). */
  status: number | null;
  content_type: string | null;
  body: string | null;
  created_at: number;
  expires_at: number;
}

/** `api_last_known`: the newest copy of a downstream record, by kind and key. */
export interface ApiLastKnownTable {
  /** What it is, e.g. `salesforce.account`, `netsuite.customer`, `salesforce.pricebook`. */
  kind: string;
  key: string;
  /** JSON of the record as the operation uses it. */
  body: string;
  /** When the downstream system last gave it, epoch ms. */
  synced_at: number;
}

/** The API tables, for the store's Database type. */
export interface ApiTables {
  api_idempotency: ApiIdempotencyTable;
  api_last_known: ApiLastKnownTable;
}

/** Creates the API tables. */
export const apiMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('api_idempotency')
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('route', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('content_type', 'text')
      .addColumn('body', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('api_idempotency_pk', ['scope', 'key'])
      .execute();
    await db.schema.createIndex('api_idempotency_expires').on('api_idempotency').column('expires_at').execute();
    await db.schema
      .createTable('api_last_known')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('synced_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('api_last_known_pk', ['kind', 'key'])
      .execute();
  },
};
