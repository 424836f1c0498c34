/**
 * Routing at intake on PostgreSQL in one statement: the events' inbox rows and their outbox
 * messages are inserted by one `WITH … INSERT` — atomic on its own, so no BEGIN/COMMIT, and one
 * round trip to the server per batch instead of five. (SQLite has no round trips to save, and no
 * data-modifying CTEs: it uses the transaction in `inbox.ts`.)
 *
 * As in the transactional path, a source with older events still pending in the inbox is not
 * routed here: its events are inserted pending, behind them, and their messages are not written.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { InboundEvent } from './inbox.ts';
import type { OutboundMessage } from './outbox.ts';

/** An inbox row the statement inserted (a duplicate inserts none). */
export interface InsertedRow {
  id: number;
  source: string;
  event_id: string;
  /** `processed` when routed here, `pending` when older events of its source were waiting. */
  status: 'processed' | 'pending';
}

/**
 * Inserts `events` with, for each, `messages[i]`, in one PostgreSQL statement; returns the rows
 * inserted. Ids follow the order given, for inbox rows and messages alike (per-key order).
 */
export async function insertRoutedEvents(
  db: Kysely<Database>,
  events: readonly InboundEvent[],
  messages: readonly (readonly OutboundMessage[])[],
  now: number,
): Promise<InsertedRow[]> {
  const sources = [...new Set(events.map((e) => e.source))];
  const eventRows = events.map((e, i) => sql`(${i}::int, ${e.source}, ${e.eventId}, ${JSON.stringify(e.headers)}, ${e.body})`);
  const messageRows = messages.flatMap((list, i) =>
    list.map(
      (m, j) =>
        sql`(${i}::int, ${j}::int, ${events[i]!.source}, ${events[i]!.eventId}, ${m.destination}, ${m.key}, ${m.idempotencyKey}, ${m.payload}, ${JSON.stringify(m.headers ?? {})})`,
    ),
  );
  // Every part of the statement sees the same snapshot: `blocked` looks at the inbox as it was
  // before these rows, and the outbox insert reads the inbox rows from `ins`'s RETURNING.
  // `blocked` reads the partial index of waiting rows alone: its source test is one no index
  // answers, so that the planner — without statistics yet on a young table — does not AND that
  // index with a walk of every entry of the source in the (source, event_id) unique index.
  const outbox =
    messageRows.length === 0
      ? sql``
      : sql`, outb AS (
    INSERT INTO outbox (destination, key, idempotency_key, payload, headers, status, attempts, next_attempt_at, created_at, source, inbox_id)
    SELECT m.destination, m.key, m.idempotency_key, m.payload, m.headers, 'pending', 0, ${now}::bigint, ${now}::bigint, m.source, ins.id
      FROM (VALUES ${sql.join(messageRows)}) AS m(ord, sub, source, event_id, destination, key, idempotency_key, payload, headers)
      JOIN ins ON ins.source = m.source AND ins.event_id = m.event_id AND ins.status = 'processed'
     ORDER BY m.ord, m.sub
    ON CONFLICT (idempotency_key) DO NOTHING)`;
  const { rows } = await sql<InsertedRow>`
    WITH blocked AS (
      SELECT EXISTS (SELECT 1 FROM inbox WHERE status = 'pending' AND (source IN (${sql.join(sources)})) IS TRUE) AS b),
    ins AS (
      INSERT INTO inbox (source, event_id, received_at, headers, body, status, attempts, duplicates, processed_at)
      SELECT v.source, v.event_id, ${now}::bigint, v.headers, v.body,
             CASE WHEN blocked.b THEN 'pending' ELSE 'processed' END,
             CASE WHEN blocked.b THEN 0 ELSE 1 END,
             0,
             CASE WHEN blocked.b THEN NULL ELSE ${now}::bigint END
        FROM (VALUES ${sql.join(eventRows)}) AS v(ord, source, event_id, headers, body) CROSS JOIN blocked
       ORDER BY v.ord
      ON CONFLICT (source, event_id) DO NOTHING
      RETURNING id, source, event_id, status)${outbox}
    SELECT id, source, event_id, status FROM ins`.execute(db);
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
