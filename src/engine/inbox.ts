/**
 * The inbox: every inbound event is stored before it is acknowledged, and a duplicate (same
 * source and event id) is recognised, counted and not processed again. Writes are grouped
 * (see {@link GroupCommit}) so that many concurrent webhooks share one commit.
 */
import { sql } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { recordInbound } from '../observability/metrics.ts';
import { contextOf, inSpan, tracingOn, withTraceparent } from '../observability/tracing.ts';
import type { Store } from '../store/store.ts';
import { GroupCommit } from './group-commit.ts';

/** An inbound event as received. */
export interface InboundEvent {
  source: string;
  eventId: string;
  /** Headers kept with the event (lower-case names). */
  headers: Readonly<Record<string, string>>;
  /** The raw body, exactly as received (signatures are computed over it). */
  body: string;
}

/** What the inbox did with an event. */
export interface Accepted {
  /** Inbox row id (the existing row for a duplicate). */
  id: number;
  /** True when the event had been received before and was absorbed. */
  duplicate: boolean;
}

/** Durable, deduplicating intake of inbound events. */
export class Inbox {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #writer: GroupCommit<InboundEvent, Accepted>;
  /** Duplicates absorbed since start (also counted per row in `inbox.duplicates`). */
  duplicatesAbsorbed = 0;

  constructor(store: Store, clock: Clock, maxBatch = 512) {
    this.#store = store;
    this.#clock = clock;
    // SQLite commits block the event loop (see GroupCommit): give each fsync a 2 ms window to
    // gather the webhooks arriving meanwhile. PostgreSQL commits asynchronously and needs none.
    this.#writer = new GroupCommit((events) => this.#write(events), maxBatch, store.dialect === 'sqlite' ? 2 : 0);
  }

  /**
   * Stores `event`; resolves once it is durable (or was already there). With tracing on, the
   * event starts a trace (or continues the sender's `traceparent`) kept in its stored headers.
   */
  async accept(event: InboundEvent): Promise<Accepted> {
    const accepted = !tracingOn()
      ? await this.#writer.submit(event)
      : await inSpan(`inbox ${event.source}`, { kind: 'consumer', parent: contextOf(event.headers.traceparent), attributes: { 'interlock.source': event.source, 'interlock.event_id': event.eventId } }, () =>
          this.#writer.submit({ ...event, headers: withTraceparent(event.headers) }),
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
    const results = await this.#store.transaction(async (trx) => {
      const inserted = await trx
        .insertInto('inbox')
        .values(
          unique.map((e) => ({
            source: e.source,
            event_id: e.eventId,
            received_at: now,
            headers: JSON.stringify(e.headers),
            body: e.body,
            status: 'pending' as const,
            attempts: 0,
            duplicates: 0,
          })),
        )
        .onConflict((oc) => oc.columns(['source', 'event_id']).doNothing())
        .returning(['id', 'source', 'event_id'])
        .execute();
      const ids = new Map(inserted.map((r) => [dedupeKey(r.source, r.event_id), Number(r.id)]));
      const seenBefore = unique.filter((e) => !ids.has(dedupeKey(e.source, e.eventId)));
      const repeatedInBatch = events.length - unique.length;
      if (seenBefore.length > 0 || repeatedInBatch > 0) {
        const dupKeys = events.filter((e, i) => firstIndex.get(dedupeKey(e.source, e.eventId)) !== i || !ids.has(dedupeKey(e.source, e.eventId)));
        for (const e of dupKeys) {
          await trx
            .updateTable('inbox')
            .set({ duplicates: sql`duplicates + 1` })
            .where('source', '=', e.source)
            .where('event_id', '=', e.eventId)
            .execute();
        }
        if (seenBefore.length === 0) return { ids, existing: new Map<string, number>() };
        const existing = await trx
          .selectFrom('inbox')
          .select(['id', 'source', 'event_id'])
          .where((eb) => eb.or(seenBefore.map((e) => eb.and([eb('source', '=', e.source), eb('event_id', '=', e.eventId)]))))
          .execute();
        return { ids, existing: new Map(existing.map((r) => [dedupeKey(r.source, r.event_id), Number(r.id)])) };
      }
      return { ids, existing: new Map<string, number>() };
    });
    const accepted = events.map((e, i) => {
      const k = dedupeKey(e.source, e.eventId);
      const fresh = firstIndex.get(k) === i ? results.ids.get(k) : undefined;
      if (fresh !== undefined) return { id: fresh, duplicate: false };
      return { id: results.ids.get(k) ?? results.existing.get(k) ?? 0, duplicate: true };
    });
    const dup = accepted.filter((a) => a.duplicate).length;
    this.duplicatesAbsorbed += dup;
    if (dup < accepted.length) this.#store.notify('inbox');
    return accepted;
  }
}

function dedupeKey(source: string, eventId: string): string {
  return `${source}\u0000${eventId}`;
}
