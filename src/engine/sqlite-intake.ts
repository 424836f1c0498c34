/**
 * The webhook intake's batch on SQLite, straight on the connection (`Store.syncTransaction`):
 * every event's inbox row and, when routed at intake, its outbox messages, in one synchronous
 * transaction. Through the query builder each of those statements cost a promise chain and a
 * connection hand-over — about as much as SQLite's own work on it — twice per event.
 *
 * It covers the common batch only: new events, each routed or each left pending. An event stored
 * before (a duplicate to count) rolls the batch back, and `inbox.ts` writes it the general way.
 * As there, a source with older events still pending in the inbox is not routed here: its events
 * are inserted pending, behind them, and their messages are not written.
 */
import type { Store, SyncConnection } from '../store/store.ts';
import type { InboundEvent } from './inbox.ts';
import type { InsertedRow } from './intake-statement.ts';
import { enqueueSync, type OutboundMessage } from './outbox.ts';

const INBOX_COLUMNS = 'source, event_id, received_at, headers, body, status, attempts, duplicates, processed_at, error';

/** One event's inbox row; returns its id, none for an event stored before. Shared with `inbox.ts`. */
export const INSERT_ONE_EVENT = `INSERT INTO inbox (${INBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
  ON CONFLICT (source, event_id) DO NOTHING RETURNING id`;

// Thrown inside the transaction to roll it back: an event of the batch was stored before.
const STORED_BEFORE = new Error('an event of the batch was stored before');

/**
 * Inserts `events` (distinct, none stored before) durably, each with `messages[i]` when routing
 * at intake (without `messages`, all are left pending). Resolves to the rows inserted, in order,
 * or to undefined — having written nothing — when an event had been stored before.
 */
export async function insertEventsDirect(
  syncTransaction: NonNullable<Store['syncTransaction']>,
  events: readonly InboundEvent[],
  messages: readonly (readonly OutboundMessage[])[] | undefined,
  now: number,
): Promise<InsertedRow[] | undefined> {
  try {
    return await syncTransaction((db) => {
      const routed = messages !== undefined && !pendingIn(db, events);
      const rows: InsertedRow[] = [];
      const queued: OutboundMessage[] = [];
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        const got = db.all(INSERT_ONE_EVENT, [e.source, e.eventId, now, JSON.stringify(e.headers), e.body, routed ? 'processed' : 'pending', routed ? 1 : 0, routed ? now : null, null]);
        if (got[0] === undefined) throw STORED_BEFORE;
        const id = Number(got[0].id);
        rows.push({ id, source: e.source, event_id: e.eventId, status: routed ? 'processed' : 'pending' });
        if (routed) for (const m of messages[i]!) queued.push({ ...m, inboxId: id });
      }
      enqueueSync(db, queued, now);
      return rows;
    });
  } catch (err) {
    if (err === STORED_BEFORE) return undefined;
    throw err;
  }
}

/** Whether an event of one of these events' sources is still waiting in the inbox. */
function pendingIn(db: SyncConnection, events: readonly InboundEvent[]): boolean {
  const sources = [...new Set(events.map((e) => e.source))];
  // The partial index of waiting rows, named: SQLite's planner would rather walk every row of the
  // source through the (source, event_id) unique index, which grows with the inbox.
  return db.all(`SELECT id FROM inbox INDEXED BY inbox_pending WHERE status = 'pending' AND source IN (${sources.map(() => '?').join(', ')}) LIMIT 1`, sources).length > 0;
}
