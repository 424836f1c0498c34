/**
 * The transactional outbox: messages to destinations are inserted in the same transaction as
 * the state change that causes them, so either both happen or neither does. Each message has a
 * deterministic idempotency key, unique in the table: enqueueing the same cause twice (a
 * redelivered event, a re-run step) adds nothing.
 */
import { hash } from 'node:crypto';
import { CompiledQuery, SqliteAdapter, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { SqlValue, SyncConnection } from '../store/store.ts';

/** A message to enqueue. */
export interface OutboundMessage {
  destination: string;
  /** Business key; messages with the same key and destination are delivered in order. */
  key: string;
  /** Deterministic idempotency key; see {@link idempotencyKey}. */
  idempotencyKey: string;
  /** JSON text to send. */
  payload: string;
  headers?: Readonly<Record<string, string>>;
  source?: string;
  inboxId?: number;
}

/** Derives a deterministic idempotency key from the parts that identify one effect. */
export function idempotencyKey(...parts: readonly (string | number)[]): string {
  // One-shot hash: no Hash object per message (this runs for every message enqueued).
  return 'ilk_' + hash('sha256', parts.join('\u0000'), 'base64url').slice(0, 32);
}

/** Inserts `messages` within `trx`; a message whose idempotency key exists already is skipped. */
export async function enqueue(trx: Kysely<Database>, messages: readonly OutboundMessage[], now: number): Promise<number> {
  if (messages.length === 0) return 0;
  if (trx.getExecutor().adapter instanceof SqliteAdapter) return enqueueEach(trx, messages, now);
  let inserted = 0;
  // Stay well below both databases' bound-parameter limits.
  for (let i = 0; i < messages.length; i += 500) {
    const rows = messages.slice(i, i + 500).map((m) => ({
      destination: m.destination,
      key: m.key,
      idempotency_key: m.idempotencyKey,
      payload: m.payload,
      headers: JSON.stringify(m.headers ?? {}),
      status: 'pending' as const,
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
      source: m.source ?? null,
      inbox_id: m.inboxId ?? null,
    }));
    const result = await trx
      .insertInto('outbox')
      .values(rows)
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

// SQLite runs in-process: one prepared statement executed per message costs less than building
// and compiling a multi-row INSERT through the query builder (its text varies with the batch size,
// and building it showed as the intake's largest cost in the pipeline bench's CPU profile).
const INSERT_ONE = `INSERT INTO outbox (destination, key, idempotency_key, payload, headers, status, attempts, next_attempt_at, created_at, source, inbox_id)
  VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`;

async function enqueueEach(trx: Kysely<Database>, messages: readonly OutboundMessage[], now: number): Promise<number> {
  let inserted = 0;
  for (const m of messages) {
    const result = await trx.executeQuery(CompiledQuery.raw(INSERT_ONE, messageParams(m, now)));
    inserted += Number(result.numAffectedRows ?? 0);
  }
  return inserted;
}

/** {@link enqueue} on a SQLite connection's synchronous statements (inside `Store.syncTransaction`). */
export function enqueueSync(db: SyncConnection, messages: readonly OutboundMessage[], now: number): number {
  let inserted = 0;
  for (const m of messages) inserted += db.run(INSERT_ONE, messageParams(m, now));
  return inserted;
}

function messageParams(m: OutboundMessage, now: number): SqlValue[] {
  const headers = m.headers === undefined ? '{}' : JSON.stringify(m.headers);
  return [m.destination, m.key, m.idempotencyKey, m.payload, headers, now, now, m.source ?? null, m.inboxId ?? null];
}
