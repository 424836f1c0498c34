/**
 * The inbox: every inbound event is stored before it is acknowledged, and a duplicate (same
 * source and event id) is recognised, counted and not processed again. Writes are grouped
 * (see {@link GroupCommit}) so that many concurrent webhooks share one commit.
 *
 * Routing at intake: when no flow can react to inbound events, an event's routes depend on
 * nothing but the event, so the inbox routes it before writing and commits the inbox row (as
 * processed) together with its outbox messages — the transactional outbox in one commit, with
 * no second pass by the {@link InboxProcessor}. While older events of a source still wait in
 * the inbox (written before a restart, or replayed), that source's new events wait behind them
 * as pending rows, so the processor keeps them in arrival order.
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { toInterlockError, validationError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { recordInbound } from '../observability/metrics.ts';
import { contextOf, inSpan, traceparentOfSpan, tracingOn, type Span } from '../observability/tracing.ts';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { park } from './dead-letters.ts';
import { GroupCommit } from './group-commit.ts';
import { insertRoutedEvents, type InsertedRow } from './intake-statement.ts';
import { insertEventsDirect, INSERT_ONE_EVENT } from './sqlite-intake.ts';
import { enqueue, type OutboundMessage } from './outbox.ts';
import type { Router } from './router.ts';

/** An inbound event as received. */
export interface InboundEvent {
  source: string;
  eventId: string;
  /** Headers kept with the event (lower-case names). */
  headers: Readonly<Record<string, string>>;
  /** The raw body, exactly as received (signatures are computed over it). */
  body: string;
  /**
   * `body` parsed, when the receiver parsed it already: routing at intake then does not parse it
   * again. Never stored, and never modified by routing.
   */
  parsed?: unknown;
}

/** What the inbox did with an event. */
export interface Accepted {
  /** Inbox row id (the existing row for a duplicate). */
  id: number;
  /** True when the event had been received before and was absorbed. */
  duplicate: boolean;
}

/** Routing at intake (see the module comment). */
export interface IntakeRouting {
  router: Router;
  /** Whether events may be routed at intake now: false while flows could react to inbound events. */
  enabled: () => boolean;
  log: Logger;
}

/** Options of an {@link Inbox}. */
export interface InboxOptions {
  /** Most events in one commit. @default 512 */
  maxBatch?: number;
  /** Route events at intake; without it every event is left pending for the processor. */
  routing?: IntakeRouting;
}

/** What routing an event at intake gave: its messages, or why it cannot be routed. */
type Routed = { messages: OutboundMessage[]; error?: undefined } | { messages?: undefined; error: string };

/** Durable, deduplicating intake of inbound events. */
export class Inbox {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #writer: GroupCommit<InboundEvent, Accepted>;
  readonly #routing: IntakeRouting | undefined;
  /** Duplicates absorbed since start (also counted per row in `inbox.duplicates`). */
  duplicatesAbsorbed = 0;

  constructor(store: Store, clock: Clock, options: InboxOptions = {}) {
    this.#store = store;
    this.#clock = clock;
    this.#routing = options.routing;
    const maxBatch = options.maxBatch ?? 512;
    // Both stores wait for the disk without blocking the event loop (SQLite: see WalSync), so the
    // next batch fills while one is being flushed; no gathering window is needed.
    this.#writer = new GroupCommit((events) => this.#write(events), maxBatch);
  }

  /**
   * Stores `event`; resolves once it is durable (or was already there). With tracing on, the
   * event starts a trace (or continues the sender's `traceparent`) kept in its stored headers.
   * An event id with a NUL character is refused (`validation`, type `invalid-event-id`).
   */
  async accept(event: InboundEvent): Promise<Accepted> {
    // PostgreSQL text cannot hold a NUL: stored, it would fail the whole batch the event shares.
    // Refused here, for every way in (the generic webhook, Dynamics' and SAP's), that event alone.
    if (event.eventId.includes('\u0000')) throw validationError('the event id contains a NUL character', { type: 'invalid-event-id' });
    const accepted = !tracingOn()
      ? await this.#writer.submit(event)
      : // A leaf: the stored headers carry its traceparent, so nothing needs it active through the batch write.
        await inSpan(`inbox ${event.source}`, { kind: 'consumer', parent: contextOf(event.headers.traceparent), attributes: { 'interlock.source': event.source, 'interlock.event_id': event.eventId }, leaf: true }, (span) =>
          this.#writer.submit({ ...event, headers: { ...event.headers, traceparent: traceparentOfSpan(span)! } }),
        );
    recordInbound(event.source, accepted.duplicate);
    return accepted;
  }

  /** Waits until every accepted event is written. */
  drain(): Promise<void> {
    return this.#writer.drain();
  }

  async #write(events: readonly InboundEvent[]): Promise<Accepted[]> {
    const now = this.#clock.now();
    // The first occurrence of an id in this batch is the one inserted; later ones are duplicates.
    const firstIndex = new Map<string, number>();
    events.forEach((e, i) => {
      const k = dedupeKey(e.source, e.eventId);
      if (!firstIndex.has(k)) firstIndex.set(k, i);
    });
    const unique = [...firstIndex.values()].map((i) => events[i]!);
    // Routing is pure CPU: done before the transaction, so the write lock is held for writes only.
    const plan = this.#routing?.enabled() === true ? await this.#route(this.#routing, unique) : undefined;
    let routedAtIntake = false;
    let queuedForProcessor = false;
    let results: { ids: Map<string, number>; existing: Map<string, number> };
    const routable = plan === undefined || plan.every((r) => r.error === undefined);
    const messages = plan?.map((r) => r.messages!);
    let rows: InsertedRow[] | undefined;
    if (messages !== undefined && routable && this.#store.dialect === 'postgres') {
      // One statement is its own transaction: one round trip per batch (see intake-statement.ts).
      rows = await insertRoutedEvents(this.#store.db, unique, messages, now);
    } else if (routable && this.#store.syncTransaction !== undefined && unique.length === events.length) {
      // SQLite's common batch without the query builder (see sqlite-intake.ts); undefined if it
      // met an event stored before, which the general path below counts.
      rows = await insertEventsDirect(this.#store.syncTransaction.bind(this.#store), unique, messages, now);
    }
    if (rows !== undefined) {
      routedAtIntake = rows.some((r) => r.status === 'processed');
      queuedForProcessor = rows.some((r) => r.status === 'pending');
      const ids = new Map(rows.map((r) => [dedupeKey(r.source, r.event_id), r.id]));
      // Counting duplicates needs no atomicity with the insert: it is a counter.
      results = { ids, existing: await absorbDuplicates(this.#store.db, events, unique, firstIndex, ids) };
    } else {
      results = await this.#store.transaction(async (trx) => {
        routedAtIntake = plan !== undefined && !(await pendingIn(trx, this.#store.dialect, unique));
        queuedForProcessor = !routedAtIntake;
        const inserted = await insertEvents(trx, this.#store.dialect, unique, routedAtIntake ? plan : undefined, now);
        const ids = new Map(inserted.map((r) => [dedupeKey(r.source, r.event_id), Number(r.id)]));
        if (routedAtIntake) await this.#enqueueRouted(trx, unique, plan!, ids, now);
        return { ids, existing: await absorbDuplicates(trx, events, unique, firstIndex, ids) };
      });
    }
    const accepted = events.map((e, i) => {
      const k = dedupeKey(e.source, e.eventId);
      const fresh = firstIndex.get(k) === i ? results.ids.get(k) : undefined;
      if (fresh !== undefined) return { id: fresh, duplicate: false };
      return { id: results.ids.get(k) ?? results.existing.get(k) ?? 0, duplicate: true };
    });
    const dup = accepted.filter((a) => a.duplicate).length;
    this.duplicatesAbsorbed += dup;
    if (dup < accepted.length) {
      // Routes may yield no message (a `when` that does not match): then no worker has work.
      if (routedAtIntake && plan?.some((r) => r.messages !== undefined && r.messages.length > 0) === true) this.#store.notify('outbox');
      if (queuedForProcessor) this.#store.notify('inbox');
    }
    return accepted;
  }

  /** Routes each event (as the processor would, in the event's trace); a failure is kept, not thrown. */
  async #route(routing: IntakeRouting, events: readonly InboundEvent[]): Promise<Routed[]> {
    const out: Routed[] = [];
    for (const e of events) {
      try {
        // The inbox id is known only after the insert; #enqueueRouted fills it in.
        const route = (span?: Span) => routing.router.route({ id: 0, source: e.source, eventId: e.eventId, body: e.body, parsed: e.parsed, traceparent: traceparentOfSpan(span) });
        const traceparent = tracingOn() ? e.headers.traceparent : undefined;
        const messages = traceparent === undefined ? await route() : await inSpan(`route ${e.source}`, { parent: contextOf(traceparent), leaf: true }, route);
        out.push({ messages });
      } catch (err) {
        out.push({ error: toInterlockError(err).message });
      }
    }
    return out;
  }

  /** Enqueues the messages of the events inserted now, and parks the ones that could not be routed. */
  async #enqueueRouted(trx: Kysely<Database>, events: readonly InboundEvent[], plan: readonly Routed[], ids: ReadonlyMap<string, number>, now: number): Promise<void> {
    const messages: OutboundMessage[] = [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const id = ids.get(dedupeKey(e.source, e.eventId));
      if (id === undefined) continue; // a duplicate: routed when it first arrived
      const routed = plan[i]!;
      if (routed.error === undefined) {
        for (const m of routed.messages) messages.push({ ...m, inboxId: id });
        continue;
      }
      this.#routing?.log.warn({ inboxId: id, source: e.source, err: routed.error }, 'inbound event cannot be routed; parked');
      await park(trx, { kind: 'inbox', messageId: id, source: e.source, errorClass: 'permanent', reason: routed.error, attempts: 1 }, now);
    }
    await enqueue(trx, messages, now);
  }
}

/**
 * Counts the duplicates of a batch (events seen before, or repeated within it) on their rows;
 * returns the ids of the rows that were there before.
 */
async function absorbDuplicates(
  db: Kysely<Database>,
  events: readonly InboundEvent[],
  unique: readonly InboundEvent[],
  firstIndex: ReadonlyMap<string, number>,
  ids: ReadonlyMap<string, number>,
): Promise<Map<string, number>> {
  const seenBefore = unique.filter((e) => !ids.has(dedupeKey(e.source, e.eventId)));
  if (seenBefore.length === 0 && events.length === unique.length) return new Map();
  const dupKeys = events.filter((e, i) => firstIndex.get(dedupeKey(e.source, e.eventId)) !== i || !ids.has(dedupeKey(e.source, e.eventId)));
  for (const e of dupKeys) {
    await db
      .updateTable('inbox')
      .set({ duplicates: sql`duplicates + 1` })
      .where('source', '=', e.source)
      .where('event_id', '=', e.eventId)
      .execute();
  }
  if (seenBefore.length === 0) return new Map();
  const existing = await db
    .selectFrom('inbox')
    .select(['id', 'source', 'event_id'])
    .where((eb) => eb.or(seenBefore.map((e) => eb.and([eb('source', '=', e.source), eb('event_id', '=', e.eventId)]))))
    .execute();
  return new Map(existing.map((r) => [dedupeKey(r.source, r.event_id), Number(r.id)]));
}

/**
 * Inserts the batch's events (a duplicate of a stored event is skipped); `plan` marks them routed
 * (processed, or dead when routing failed), else they are left pending. Resolves to the rows inserted.
 */
async function insertEvents(
  trx: Kysely<Database>,
  dialect: Store['dialect'],
  events: readonly InboundEvent[],
  plan: readonly Routed[] | undefined,
  now: number,
): Promise<Array<{ id: number | string; source: string; event_id: string }>> {
  const rows = events.map((e, i) => {
    const routed = plan?.[i];
    return {
      source: e.source,
      event_id: e.eventId,
      received_at: now,
      headers: JSON.stringify(e.headers),
      body: e.body,
      status: routed === undefined ? ('pending' as const) : routed.error === undefined ? ('processed' as const) : ('dead' as const),
      attempts: routed === undefined ? 0 : 1,
      duplicates: 0,
      processed_at: routed !== undefined && routed.error === undefined ? now : null,
      error: routed?.error ?? null,
    };
  });
  if (dialect === 'sqlite') {
    // SQLite runs in-process: one prepared statement per event costs less than a multi-row INSERT
    // built through the query builder, whose text also varies with the batch size.
    const out: Array<{ id: number | string; source: string; event_id: string }> = [];
    for (const r of rows) {
      const params = [r.source, r.event_id, r.received_at, r.headers, r.body, r.status, r.attempts, r.processed_at, r.error];
      const { rows: got } = await trx.executeQuery<{ id: number }>(CompiledQuery.raw(INSERT_ONE_EVENT, params));
      if (got[0] !== undefined) out.push({ id: got[0].id, source: r.source, event_id: r.event_id });
    }
    return out;
  }
  return trx
    .insertInto('inbox')
    .values(rows)
    .onConflict((oc) => oc.columns(['source', 'event_id']).doNothing())
    .returning(['id', 'source', 'event_id'])
    .execute();
}

/** Whether an event of one of these events' sources is still waiting in the inbox. */
async function pendingIn(trx: Kysely<Database>, dialect: Store['dialect'], events: readonly InboundEvent[]): Promise<boolean> {
  const sources = [...new Set(events.map((e) => e.source))];
  // Plain SQL: one per batch, and the query builder's cost showed in the pipeline's CPU profile.
  // Both read the partial index of waiting rows only (see sqlite-intake.ts and intake-statement.ts
  // for why each names it its own way).
  const query =
    dialect === 'sqlite'
      ? sql`SELECT id FROM inbox INDEXED BY inbox_pending WHERE status = 'pending' AND source IN (${sql.join(sources)}) LIMIT 1`
      : sql`SELECT id FROM inbox WHERE status = 'pending' AND (source IN (${sql.join(sources)})) IS TRUE LIMIT 1`;
  const { rows } = await query.execute(trx);
  return rows.length > 0;
}

function dedupeKey(source: string, eventId: string): string {
  return `${source}\u0000${eventId}`;
}
