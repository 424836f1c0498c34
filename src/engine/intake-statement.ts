/**
 * Routing at intake on PostgreSQL in one statement: the events' inbox rows and their outbox
 * messages are inserted by one `WITH … INSERT` — atomic on its own, so no BEGIN/COMMIT, and one
 * round trip to the server per batch instead of five. (SQLite has no round trips to save, and no
 * data-modifying CTEs: it uses the transaction in `inbox.ts`.)
 *
 * The rows travel as one array per column, unnested by the server, so the statement's text is the
 * same for every batch: a multi-row VALUES list took 5 parameters per event and 9 per message
 * (about 450 for a batch of 32 routed events), a new text for every batch size, each parsed and
 * planned anew by the server and built anew by the query builder.
 *
 * As in the transactional path, a source with older events still pending in the inbox is not
 * routed here: its events are inserted pending, behind them, and their messages are not written.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { preparedStatement } from '../store/store.ts';
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

// Every part of the statement sees the same snapshot: `blocked` looks at the inbox as it was
// before these rows, and the outbox insert reads the inbox rows from `ins`'s RETURNING. Rows are
// inserted in the order given (WITH ORDINALITY), so ids follow it, for inbox rows and messages
// alike (per-key order).
// `blocked` reads the partial index of waiting rows alone: its source test is one no index
// answers, so that the planner — without statistics yet on a young table — does not AND that
// index with a walk of every entry of the source in the (source, event_id) unique index.
const INSERT_ROUTED = preparedStatement('interlock_intake', `
WITH blocked AS (
  SELECT EXISTS (SELECT 1 FROM inbox WHERE status = 'pending' AND (source = ANY ($1::text[])) IS TRUE) AS b),
ins AS (
  INSERT INTO inbox (source, event_id, received_at, headers, body, status, attempts, duplicates, processed_at)
  SELECT v.source, v.event_id, $2::bigint, v.headers, v.body,
         CASE WHEN blocked.b THEN 'pending' ELSE 'processed' END,
         CASE WHEN blocked.b THEN 0 ELSE 1 END,
         0,
         CASE WHEN blocked.b THEN NULL ELSE $2::bigint END
    FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS v(source, event_id, headers, body, ord)
    CROSS JOIN blocked
   ORDER BY v.ord
  ON CONFLICT (source, event_id) DO NOTHING
  RETURNING id, source, event_id, status),
outb AS (
  INSERT INTO outbox (destination, key, idempotency_key, payload, headers, status, attempts, next_attempt_at, created_at, source, inbox_id)
  SELECT m.destination, m.key, m.idempotency_key, m.payload, m.headers, 'pending', 0, $2::bigint, $2::bigint, m.source, ins.id
    FROM unnest($7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
         WITH ORDINALITY AS m(source, event_id, destination, key, idempotency_key, payload, headers, ord)
    JOIN ins ON ins.source = m.source AND ins.event_id = m.event_id AND ins.status = 'processed'
   ORDER BY m.ord
  ON CONFLICT (idempotency_key) DO NOTHING)
SELECT id, source, event_id, status FROM ins`);

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
  const ev = { source: [] as string[], eventId: [] as string[], headers: [] as string[], body: [] as string[] };
  const msg = { source: [] as string[], eventId: [] as string[], destination: [] as string[], key: [] as string[], idempotencyKey: [] as string[], payload: [] as string[], headers: [] as string[] };
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    ev.source.push(e.source);
    ev.eventId.push(e.eventId);
    ev.headers.push(JSON.stringify(e.headers));
    ev.body.push(e.body);
    for (const m of messages[i]!) {
      msg.source.push(e.source);
      msg.eventId.push(e.eventId);
      msg.destination.push(m.destination);
      msg.key.push(m.key);
      msg.idempotencyKey.push(m.idempotencyKey);
      msg.payload.push(m.payload);
      msg.headers.push(m.headers === undefined ? '{}' : JSON.stringify(m.headers));
    }
  }
  const params = [sources, now, ev.source, ev.eventId, ev.headers, ev.body, msg.source, msg.eventId, msg.destination, msg.key, msg.idempotencyKey, msg.payload, msg.headers];
  const { rows } = await db.executeQuery<InsertedRow>(CompiledQuery.raw(INSERT_ROUTED, params));
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
