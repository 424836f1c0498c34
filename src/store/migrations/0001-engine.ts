/**
 * The engine's tables: the inbox (every inbound event, stored before it is acknowledged), the
 * outbox (every message to a destination, written in the same transaction as the state change
 * that caused it), dead letters, and the per-destination state shared by all workers (token
 * bucket, pause from `Retry-After`, circuit breaker).
 */
import { sql, type Generated, type Kysely, type Migration } from 'kysely';
import { withSerialId } from './columns.ts';

/** Status of an inbox row. */
export type InboxStatus = 'pending' | 'processed' | 'dead';

/** Status of an outbox message. */
export type OutboxStatus = 'pending' | 'delivering' | 'delivered' | 'dead' | 'discarded';

/** Failure classes recorded on messages and dead letters (the error taxonomy's retry view). */
export type FailureClass = 'retryable' | 'rate-limited' | 'permanent';

/** `inbox`: one row per accepted inbound event. */
export interface InboxTable {
  id: Generated<number>;
  source: string;
  event_id: string;
  received_at: number;
  /** JSON object of the headers kept for processing (content type, signature, event type…). */
  headers: string;
  body: string;
  status: InboxStatus;
  attempts: number;
  /** How many times the same event was received again and absorbed. */
  duplicates: number;
  lease_owner: string | null;
  lease_until: number | null;
  processed_at: number | null;
  error: string | null;
}

/** `outbox`: one row per message to deliver. */
export interface OutboxTable {
  id: Generated<number>;
  destination: string;
  /** Business key: messages with the same key and destination are delivered one at a time, in order. */
  key: string;
  /** Deterministic, unique: the same cause always yields the same key, so it can never be enqueued twice. */
  idempotency_key: string;
  payload: string;
  headers: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  delivered_at: number | null;
  last_error: string | null;
  last_status: number | null;
  error_class: FailureClass | null;
  source: string | null;
  inbox_id: number | null;
}

/** `dead_letters`: messages parked because retries cannot fix them. */
export interface DeadLetterTable {
  id: Generated<number>;
  /**
   * `delivery`: an outbox message; `inbox`: an inbound event that could not be processed; `run`: a
   * workflow run that failed with nothing to compensate, or whose compensation failed
   * (`message_id` is the run id).
   */
  kind: 'delivery' | 'inbox' | 'run';
  message_id: number;
  destination: string | null;
  source: string | null;
  error_class: FailureClass;
  reason: string;
  attempts: number;
  last_status: number | null;
  last_response: string | null;
  parked_at: number;
  state: 'parked' | 'replayed' | 'discarded';
  resolved_at: number | null;
  resolved_by: string | null;
}

/** `destination_state`: what every worker of a deployment must agree on about a destination. */
export interface DestinationStateTable {
  destination: string;
  tokens: number;
  refilled_at: number;
  /** No delivery before this time (a `Retry-After` from the destination). */
  paused_until: number;
  circuit: 'closed' | 'open' | 'half-open';
  consecutive_failures: number;
  opened_at: number | null;
}

/** The engine's tables, merged into the store's `Database`. */
export interface EngineTables {
  inbox: InboxTable;
  outbox: OutboxTable;
  dead_letters: DeadLetterTable;
  destination_state: DestinationStateTable;
}

/** Creates the engine's tables and the indexes its claim queries rely on. */
export const engineMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await withSerialId(db, db.schema.createTable('inbox'))
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('headers', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('duplicates', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('processed_at', 'bigint')
      .addColumn('error', 'text')
      .addUniqueConstraint('inbox_source_event_unique', ['source', 'event_id'])
      .execute();
    await db.schema.createIndex('inbox_pending').on('inbox').columns(['status', 'id']).execute();

    await withSerialId(db, db.schema.createTable('outbox'))
      .addColumn('destination', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('headers', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('delivered_at', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('last_status', 'integer')
      .addColumn('error_class', 'text')
      .addColumn('source', 'text')
      .addColumn('inbox_id', 'bigint')
      .execute();
    // Claims scan open messages per destination in id order…
    await db.schema
      .createIndex('outbox_open')
      .on('outbox')
      .columns(['destination', 'status', 'id'])
      .execute();
    // …and find the head (oldest open message) of each business key. Partial, so that it holds
    // only open messages and the head lookup is one index probe whatever the table's statistics.
    await db.schema
      .createIndex('outbox_heads')
      .on('outbox')
      .columns(['destination', 'key', 'id'])
      .where(sql.ref('status'), 'in', [sql.lit('pending'), sql.lit('delivering')])
      .execute();
    await db.schema.createIndex('outbox_retention').on('outbox').columns(['status', 'delivered_at']).execute();

    await withSerialId(db, db.schema.createTable('dead_letters'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('message_id', 'bigint', (c) => c.notNull())
      .addColumn('destination', 'text')
      .addColumn('source', 'text')
      .addColumn('error_class', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('last_status', 'integer')
      .addColumn('last_response', 'text')
      .addColumn('parked_at', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('resolved_at', 'bigint')
      .addColumn('resolved_by', 'text')
      .execute();
    await db.schema.createIndex('dead_letters_state').on('dead_letters').columns(['state', 'parked_at']).execute();

    await db.schema
      .createTable('destination_state')
      .addColumn('destination', 'text', (c) => c.primaryKey())
      .addColumn('tokens', 'double precision', (c) => c.notNull())
      .addColumn('refilled_at', 'bigint', (c) => c.notNull())
      .addColumn('paused_until', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('circuit', 'text', (c) => c.notNull().defaultTo('closed'))
      .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('opened_at', 'bigint')
      .execute();
  },
};
