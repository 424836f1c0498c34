/**
 * Moves stored inbound events through the router into the outbox. Each batch commits the outbox
 * messages and the inbox rows' new status in one transaction, so an event is routed exactly once
 * however often a worker crashes. Batches are processed one at a time across the whole deployment
 * (a PostgreSQL advisory lock), in arrival order, which is what keeps per-key order intact from
 * the webhook to the destination.
 */
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { toInterlockError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Database } from '../store/schema.ts';
import { contextOf, inSpan, traceparentOfSpan, tracingOn, type Span } from '../observability/tracing.ts';
import type { Store } from '../store/store.ts';
import { park } from './dead-letters.ts';
import { enqueue, type OutboundMessage } from './outbox.ts';
import type { Router } from './router.ts';

const RELAXED = { durable: false } as const;

// Arbitrary but fixed: identifies "the inbox processor" among advisory locks.
const INBOX_LOCK = 0x1a7e_1001;

interface Outcome {
  id: number;
  source: string;
  body?: string;
  messages?: OutboundMessage[];
  error?: string;
  /** The event's trace, from its stored headers (tracing on). */
  traceparent?: string | undefined;
}

/**
 * Called with a batch's routed events, in order, inside the transaction that marks them processed
 * (the flow runtime starts and resumes runs here, exactly once per event, in a few statements for
 * the whole batch); resolves, per event, to whether it woke a run, or to the error that parks that
 * event as a dead letter.
 */
export type InboundHook = (
  trx: Kysely<Database>,
  events: ReadonlyArray<{ source: string; body: unknown; traceparent?: string | undefined }>,
) => Promise<ReadonlyArray<boolean | Error>>;

/** Routes pending inbox rows into the outbox. */
export class InboxProcessor {
  readonly #store: Store;
  readonly #router: Router;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #batchSize: number;
  readonly #onEvent: InboundHook | undefined;

  constructor(options: { store: Store; router: Router; clock: Clock; log: Logger; batchSize: number; onEvent?: InboundHook }) {
    this.#onEvent = options.onEvent;
    this.#store = options.store;
    this.#router = options.router;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#batchSize = options.batchSize;
  }

  /** Processes one batch; resolves to the number of inbox rows handled. */
  async runOnce(): Promise<number> {
    // Routing is redone idempotently after a crash (the inbox row is still pending, the outbox
    // insert dedupes by key), so its commit need not wait for the disk.
    let applied: Applied = { woke: false, enqueued: false };
    let n: number;
    if (this.#store.dialect === 'postgres') {
      n = await this.#store.transaction(async (trx) => {
        const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${INBOX_LOCK}) AS ok`.execute(trx);
        if (rows[0]?.ok !== true) return 0;
        const outcomes = await this.#route(trx);
        applied = await this.#apply(trx, outcomes);
        return outcomes.length;
      }, RELAXED);
    } else {
      // One SQLite process owns the file: route outside the transaction so intake is not held up.
      const outcomes = await this.#route(this.#store.db);
      if (outcomes.length > 0) applied = await this.#store.transaction((trx) => this.#apply(trx, outcomes), RELAXED);
      n = outcomes.length;
    }
    // Only once committed: a worker woken earlier finds nothing (on PostgreSQL its claim runs on
    // another connection) and the runs and messages wait for the next poll.
    if (applied.woke) this.#store.notify('runs');
    if (applied.enqueued) this.#store.notify('outbox');
    return n;
  }

  async #route(db: Kysely<Database>): Promise<Outcome[]> {
    const rows = await db
      .selectFrom('inbox')
      .select(['id', 'source', 'event_id', 'body', 'headers'])
      .where('status', '=', 'pending')
      .orderBy('id')
      .limit(this.#batchSize)
      .execute();
    const outcomes: Outcome[] = [];
    for (const row of rows) {
      const id = Number(row.id);
      const traceparent = tracingOn() ? (JSON.parse(row.headers) as Record<string, string | undefined>).traceparent : undefined;
      try {
        const route = (span?: Span) => this.#router.route({ id, source: row.source, eventId: row.event_id, body: row.body, traceparent: traceparentOfSpan(span) });
        const messages = traceparent === undefined ? await route() : await inSpan(`route ${row.source}`, { parent: contextOf(traceparent), attributes: { 'interlock.inbox_id': id }, leaf: true }, route);
        outcomes.push({ id, source: row.source, body: row.body, messages, traceparent });
      } catch (err) {
        const error = toInterlockError(err);
        this.#log.warn({ inboxId: id, source: row.source, err: error.message }, 'inbound event cannot be routed; parked');
        outcomes.push({ id, source: row.source, error: error.message });
      }
    }
    return outcomes;
  }

  /** Applies `hook` to the routed events; resolves to whether it started or resumed a run. */
  async #hook(trx: Kysely<Database>, hook: InboundHook, outcomes: readonly Outcome[]): Promise<boolean> {
    const applied: Outcome[] = [];
    const events: Array<{ source: string; body: unknown; traceparent?: string | undefined }> = [];
    for (const o of outcomes) {
      if (o.error !== undefined || o.body === undefined) continue;
      let body: unknown;
      try {
        body = JSON.parse(o.body);
      } catch (err) {
        o.error = toInterlockError(err).message;
        continue;
      }
      applied.push(o);
      // Runs started here record the event's trace as theirs.
      events.push({ source: o.source, body, traceparent: o.traceparent });
    }
    if (events.length === 0) return false;
    const results = await hook(trx, events);
    let woke = false;
    applied.forEach((o, i) => {
      const r = results[i];
      if (r instanceof Error) {
        const error = toInterlockError(r);
        this.#log.warn({ inboxId: o.id, source: o.source, err: error.message }, 'inbound event cannot start or resume flows; parked');
        o.error = error.message;
      } else if (r === true) {
        woke = true;
      }
    });
    return woke;
  }

  async #apply(trx: Kysely<Database>, outcomes: readonly Outcome[]): Promise<Applied> {
    if (outcomes.length === 0) return { woke: false, enqueued: false };
    const now = this.#clock.now();
    const woke = this.#onEvent !== undefined && (await this.#hook(trx, this.#onEvent, outcomes));
    const ok = outcomes.filter((o) => o.error === undefined);
    const messages = ok.flatMap((o) => o.messages ?? []);
    await enqueue(trx, messages, now);
    if (ok.length > 0) {
      await trx
        .updateTable('inbox')
        .set({ status: 'processed', processed_at: now, attempts: sql`attempts + 1` })
        .where('id', 'in', ok.map((o) => o.id))
        .where('status', '=', 'pending')
        .execute();
    }
    for (const o of outcomes.filter((x) => x.error !== undefined)) {
      await trx
        .updateTable('inbox')
        .set({ status: 'dead', error: o.error!, attempts: sql`attempts + 1` })
        .where('id', '=', o.id)
        .execute();
      await park(trx, { kind: 'inbox', messageId: o.id, source: o.source, errorClass: 'permanent', reason: o.error!, attempts: 1 }, now);
    }
    return { woke, enqueued: messages.length > 0 };
  }
}

/** What a batch's transaction wrote that a worker waits for: started or resumed runs, outbox messages. */
interface Applied {
  woke: boolean;
  enqueued: boolean;
}
