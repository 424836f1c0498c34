/**
 * Records delivery outcomes, grouped into few transactions: delivered messages are marked so,
 * failures are rescheduled with backoff or parked as dead letters, and the destination's shared
 * state (circuit breaker, `Retry-After` pause) is updated. Every update is fenced by the lease:
 * a worker that lost its lease records nothing, because another worker owns the message now.
 */
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { DestinationConfig } from '../core/config.ts';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { nextDelay } from './backoff.ts';
import type { ClaimedMessage } from './claims.ts';
import { afterOutcomes } from './circuit-breaker.ts';
import { park } from './dead-letters.ts';
import type { DeliveryOutcome } from './delivery.ts';
import { GroupCommit } from './group-commit.ts';
import { sqlInteger } from './sql-literal.ts';

// SQLite's short path for a batch of deliveries (see CompletionRecorder's #deliveredOnConnection).
const ANY_UNHEALTHY = `SELECT 1 FROM destination_state
  WHERE destination IN (SELECT value FROM json_each(?)) AND (circuit <> 'closed' OR consecutive_failures > 0) LIMIT 1`;
const MARK_DELIVERED = `UPDATE outbox SET status = 'delivered', delivered_at = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL
  WHERE id IN (SELECT value FROM json_each(?)) AND lease_owner = ? AND status = 'delivering'
  RETURNING id`;

/** One finished attempt. */
export interface Completion {
  message: ClaimedMessage;
  outcome: DeliveryOutcome;
}

/** What recording a completion decided, for logs and metrics. */
export type Decision = 'delivered' | 'retry' | 'dead' | 'lost-lease';

/** Writes completions in grouped transactions. */
export class CompletionRecorder {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #destinations: Readonly<Record<string, DestinationConfig>>;
  readonly #worker: string;
  readonly #writer: GroupCommit<Completion, Decision>;

  constructor(options: {
    store: Store;
    clock: Clock;
    destinations: Readonly<Record<string, DestinationConfig>>;
    worker: string;
  }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#destinations = options.destinations;
    this.#worker = options.worker;
    // Outcomes are independent (each fenced by its own lease; one message per key is in flight),
    // so batches may overlap: a message counts against the destination's concurrency cap until
    // its outcome is recorded, and on PostgreSQL one batch's round trips would otherwise hold
    // up every delivery finished meanwhile. SQLite runs them one after the other anyway.
    this.#writer = new GroupCommit((batch) => this.#write(batch), 512, 0, options.store.dialect === 'postgres' ? 4 : 1);
  }

  /** Records `completion`; resolves with the decision once it is durable. */
  record(completion: Completion): Promise<Decision> {
    return this.#writer.submit(completion);
  }

  /** Waits until every recorded completion is written. */
  drain(): Promise<void> {
    return this.#writer.drain();
  }

  async #write(batch: readonly Completion[]): Promise<Decision[]> {
    const now = this.#clock.now();
    const store = this.#store;
    // A batch of deliveries to healthy destinations changes no shared state: each store has a
    // short path for it, which writes nothing and answers undefined when a destination is not healthy.
    if ((store.syncTransaction !== undefined || store.withSession !== undefined) && batch.every((c) => c.outcome.ok)) {
      const decisions =
        store.syncTransaction !== undefined
          ? await this.#deliveredOnConnection(store.syncTransaction.bind(store), batch, now)
          : await this.#deliveredInOneExchange(store.withSession!.bind(store), batch, now);
      if (decisions !== undefined) {
        if (decisions.includes('delivered')) store.notify('outbox');
        return decisions;
      }
    }
    const touched = await this.#destinationsToUpdate(batch);
    const decisions = await this.#store.transaction(async (trx) => {
      // Lock destination rows first, in name order — the same order claims take them — so a
      // claim and a completion can never wait on each other.
      const states = new Map<string, Database['destination_state']>();
      for (const destination of touched) {
        const { rows } = await sql<Database['destination_state']>`
          SELECT * FROM destination_state WHERE destination = ${destination}
          ${sql.raw(this.#store.dialect === 'postgres' ? 'FOR UPDATE' : '')}`.execute(trx);
        if (rows[0] !== undefined) states.set(destination, rows[0]);
      }
      const out: Decision[] = [];
      const delivered = batch.filter((c) => c.outcome.ok).map((c) => c.message.id);
      const owned = new Set<number>();
      if (delivered.length > 0) {
        // Plain SQL: the hottest write of the engine (once per batch of deliveries).
        const { rows } = await sql<{ id: number | string }>`
          UPDATE outbox SET status = 'delivered', delivered_at = ${now}, lease_owner = NULL, lease_until = NULL, last_error = NULL
           WHERE id IN (${sql.join(delivered)}) AND lease_owner = ${this.#worker} AND status = 'delivering'
          RETURNING id`.execute(trx);
        for (const r of rows) owned.add(Number(r.id));
      }
      for (const c of batch) {
        if (c.outcome.ok) {
          out.push(owned.has(c.message.id) ? 'delivered' : 'lost-lease');
        } else {
          out.push(await this.#fail(trx, c.message, c.outcome, now));
        }
      }
      await this.#updateDestinations(trx, states, batch, out, now);
      return out;
      // A lost outcome means one more attempt with the same idempotency key: no need to wait for
      // the disk.
    }, { durable: false });
    if (decisions.some((d) => d === 'delivered' || d === 'retry')) this.#store.notify('outbox');
    return decisions;
  }

  /**
   * SQLite's common case, a batch of deliveries to healthy destinations, straight on the
   * connection (`Store.syncTransaction`): the health check and the update fenced by the lease, as
   * in {@link #write}, in one synchronous transaction instead of a promise chain and connection
   * hand-over per statement. The ids travel as one JSON array, so the statement's text (and its
   * prepared statement) is the same whatever the batch's size.
   */
  #deliveredOnConnection(syncTransaction: NonNullable<Store['syncTransaction']>, batch: readonly Completion[], now: number): Promise<Decision[] | undefined> {
    const destinations = JSON.stringify([...new Set(batch.map((c) => c.message.destination))]);
    const ids = JSON.stringify(batch.map((c) => c.message.id));
    return syncTransaction((db) => {
      if (db.all(ANY_UNHEALTHY, [destinations]).length > 0) return undefined;
      const owned = new Set(db.all(MARK_DELIVERED, [now, ids, this.#worker]).map((r) => Number(r.id)));
      return batch.map((c): Decision => (owned.has(c.message.id) ? 'delivered' : 'lost-lease'));
      // A lost outcome means one more attempt with the same idempotency key: no need to wait for the disk.
    }, { durable: false });
  }

  /**
   * PostgreSQL's common case, a batch of deliveries to healthy destinations, as one call of
   * `interlock_mark_delivered` (migration 0803): one round trip and one statement, whose plan the
   * connection keeps, checks the destinations' health and, if all are healthy (an all-success
   * batch then changes no shared state), marks the messages delivered, fenced by the lease as in
   * {@link #write}; its commit does not wait for the disk. Resolves to undefined, having written
   * nothing, when a destination is not healthy: the full path records it.
   */
  async #deliveredInOneExchange(withSession: NonNullable<Store['withSession']>, batch: readonly Completion[], now: number): Promise<Decision[] | undefined> {
    return withSession(async (s) => {
      const destinations = [...new Set(batch.map((c) => c.message.destination))].map((d) => s.literal(d)).join(', ');
      const ids = batch.map((c) => sqlInteger(c.message.id)).join(',');
      const [answer] = await s.query(
        `SELECT * FROM interlock_mark_delivered(ARRAY[${destinations}], '{${ids}}', ${s.literal(this.#worker)}, ${sqlInteger(now)})`,
      );
      const rows = (answer?.rows ?? []) as Array<{ unhealthy: boolean; id: number | string | null }>;
      if (rows[0]?.unhealthy !== false) return undefined;
      const owned = new Set(rows.filter((r) => r.id !== null).map((r) => Number(r.id)));
      return batch.map((c): Decision => (owned.has(c.message.id) ? 'delivered' : 'lost-lease'));
    });
  }

  /**
   * Destinations whose shared state this batch changes: any with a failure, and any whose circuit
   * is not plainly closed. An all-success batch on a healthy destination writes no shared state,
   * which keeps completions from contending with claims on the destination row.
   */
  async #destinationsToUpdate(batch: readonly Completion[]): Promise<string[]> {
    const names = [...new Set(batch.map((c) => c.message.destination))].sort();
    const failing = new Set(batch.filter((c) => !c.outcome.ok).map((c) => c.message.destination));
    const rest = names.filter((n) => !failing.has(n));
    if (rest.length > 0) {
      // Plain SQL: it runs for every batch, and building it through the expression builder showed
      // in CPU profiles of the pipeline benchmark.
      const { rows } = await sql<{ destination: string }>`
        SELECT destination FROM destination_state
         WHERE destination IN (${sql.join(rest)}) AND (circuit <> 'closed' OR consecutive_failures > 0)`.execute(this.#store.db);
      for (const r of rows) failing.add(r.destination);
    }
    return names.filter((n) => failing.has(n));
  }

  async #fail(
    trx: Kysely<Database>,
    m: ClaimedMessage,
    outcome: Extract<DeliveryOutcome, { ok: false }>,
    now: number,
  ): Promise<Decision> {
    const policy = this.#destinations[m.destination]?.retry;
    const rateLimited = outcome.failure === 'rate-limited';
    // Being told to slow down is not the message's fault: it does not use up an attempt.
    const counted = rateLimited ? m.attempt - 1 : m.attempt;
    let deadReason: string | undefined;
    if (outcome.failure === 'permanent') deadReason = outcome.reason;
    else if (policy === undefined) deadReason = `destination "${m.destination}" is no longer configured`;
    else if (counted >= policy.maxAttempts) deadReason = `gave up after ${counted} attempts: ${outcome.reason}`;
    else if (now - m.createdAt >= policy.maxAgeMs) deadReason = `gave up after ${policy.maxAgeMs} ms: ${outcome.reason}`;

    const common = {
      lease_owner: null,
      lease_until: null,
      last_error: outcome.reason.slice(0, 1000),
      last_status: outcome.status ?? null,
      error_class: outcome.failure,
    };
    if (deadReason === undefined) {
      const delay = nextDelay(policy!, Math.max(1, counted), outcome.retryAfterMs);
      const r = await trx
        .updateTable('outbox')
        .set({ ...common, status: 'pending', next_attempt_at: now + delay, attempts: counted })
        .where('id', '=', m.id)
        .where('lease_owner', '=', this.#worker)
        .where('status', '=', 'delivering')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0 ? 'retry' : 'lost-lease';
    }
    const r = await trx
      .updateTable('outbox')
      .set({ ...common, status: 'dead' })
      .where('id', '=', m.id)
      .where('lease_owner', '=', this.#worker)
      .where('status', '=', 'delivering')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return 'lost-lease';
    await park(
      trx,
      {
        kind: 'delivery',
        messageId: m.id,
        destination: m.destination,
        errorClass: outcome.failure,
        reason: deadReason,
        attempts: m.attempt,
        lastStatus: outcome.status ?? null,
        lastResponse: outcome.response ?? null,
      },
      now,
    );
    return 'dead';
  }

  async #updateDestinations(
    trx: Kysely<Database>,
    states: ReadonlyMap<string, Database['destination_state']>,
    batch: readonly Completion[],
    decisions: readonly Decision[],
    now: number,
  ): Promise<void> {
    const byDestination = new Map<string, { outcomes: boolean[]; pauseUntil: number }>();
    batch.forEach((c, i) => {
      if (decisions[i] === 'lost-lease' || !states.has(c.message.destination)) return;
      const entry = byDestination.get(c.message.destination) ?? { outcomes: [], pauseUntil: 0 };
      byDestination.set(c.message.destination, entry);
      if (c.outcome.ok) entry.outcomes.push(true);
      else if (c.outcome.failure === 'retryable') entry.outcomes.push(false);
      else if (c.outcome.failure === 'rate-limited') {
        entry.pauseUntil = Math.max(entry.pauseUntil, now + (c.outcome.retryAfterMs ?? 1000));
      }
    });
    for (const [destination, { outcomes, pauseUntil }] of byDestination) {
      const policy = this.#destinations[destination]?.circuit;
      const row = states.get(destination);
      if (policy === undefined || row === undefined) continue;
      const next = afterOutcomes(
        policy,
        { state: row.circuit, consecutiveFailures: row.consecutive_failures, openedAt: row.opened_at },
        outcomes,
        now,
      );
      await trx
        .updateTable('destination_state')
        .set({
          circuit: next.state,
          consecutive_failures: next.consecutiveFailures,
          opened_at: next.openedAt,
          paused_until: Math.max(Number(row.paused_until), pauseUntil),
        })
        .where('destination', '=', destination)
        .execute();
    }
  }
}
