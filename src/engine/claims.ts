/**
 * Claiming work for a destination, in one transaction that also takes the destination's shared
 * state (token bucket, `Retry-After` pause, circuit breaker, in-flight cap) into account, so every
 * worker of a deployment obeys the same limits. A claimed message carries a lease; when the
 * lease runs out (its worker died) another worker may claim it again. Only the head of each
 * business key is claimable: nothing is delivered while an earlier message of its key is open.
 */
import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { DestinationConfig } from '../core/config.ts';
import type { Database } from '../store/schema.ts';
import type { OutboxTable } from '../store/migrations/0001-engine.ts';
import type { SqlValue, Store } from '../store/store.ts';
import { admits, onProbe, type Circuit } from './circuit-breaker.ts';
import { sqlInteger as int } from './sql-literal.ts';
import { takeTokens } from './token-bucket.ts';

/** A claimed message. */
export interface ClaimedMessage {
  id: number;
  destination: string;
  key: string;
  idempotencyKey: string;
  payload: string;
  headers: Record<string, string>;
  /** This attempt's number; also the fencing token for recording its outcome. */
  attempt: number;
  createdAt: number;
}

/** Why a claim returned nothing, when it did, and when to look again. */
export interface ClaimResult {
  messages: ClaimedMessage[];
  /** The destination refuses work until then (pause, open circuit, empty bucket); 0 if not. */
  blockedUntil: number;
}

/** Claims up to `max` deliverable messages of `destination` for `worker` (a one-off {@link Claimer}). */
export function claimMessages(
  store: Store,
  destination: string,
  policy: DestinationConfig,
  worker: string,
  max: number,
  now: number,
  leaseMs: number,
): Promise<ClaimResult> {
  return new Claimer(store, destination, policy, worker, leaseMs).claim(max, now);
}

// How often a long-lived claimer looks for expired leases to take over.
const RECLAIM_EVERY_MS = 1000;

/**
 * Claims messages of one destination for one worker. A long-lived claimer (one per destination
 * per dispatcher) remembers what need not be repeated on every claim: that the destination's
 * state row exists, and when it last looked for expired leases.
 */
export class Claimer {
  readonly #store: Store;
  readonly #destination: string;
  readonly #policy: DestinationConfig;
  readonly #worker: string;
  readonly #leaseMs: number;
  #stateRowExists = false;
  #reclaimedAt = Number.NEGATIVE_INFINITY;

  constructor(store: Store, destination: string, policy: DestinationConfig, worker: string, leaseMs: number) {
    this.#store = store;
    this.#destination = destination;
    this.#policy = policy;
    this.#worker = worker;
    this.#leaseMs = leaseMs;
  }

  /** Claims up to `max` deliverable messages at time `now`. */
  async claim(max: number, now: number): Promise<ClaimResult> {
    const store = this.#store;
    // The common case — no rate limit, no lease reclaim due — has a short path on each store; it
    // falls back to the general one when the destination is paused or its circuit is not closed.
    if (this.#stateRowExists && this.#policy.rateLimit === null && now - this.#reclaimedAt < RECLAIM_EVERY_MS && max > 0) {
      let claimed: ClaimResult | undefined;
      if (store.syncTransaction !== undefined) claimed = await this.#claimOnConnection(store.syncTransaction.bind(store), max, now);
      else if (store.withSession !== undefined) claimed = await this.#claimInOneExchange(store.withSession.bind(store), max, now);
      if (claimed !== undefined) return claimed;
    }
    return this.#claim(max, now);
  }

  /**
   * SQLite's common case straight on the connection (`Store.syncTransaction`): the destination's
   * state read and the claim in one synchronous transaction, with no promise chain and connection
   * hand-over per statement of the query builder. Resolves to undefined, having written nothing,
   * when the destination is paused or its circuit is not closed.
   */
  #claimOnConnection(syncTransaction: NonNullable<Store['syncTransaction']>, max: number, now: number): Promise<ClaimResult | undefined> {
    const destination = this.#destination;
    const concurrency = this.#policy.concurrency;
    return syncTransaction((db) => {
      const state = db.all(STATE_OF, [destination])[0];
      if (state === undefined || Number(state.paused_until) > now || state.circuit !== 'closed') return undefined;
      // The general path's statement, compiled by the query builder to `?` placeholders: the same
      // text every time, so the connection's prepared statement is reused.
      const room = roomLeft({ destination, concurrency, max });
      const claim = claimHeadsStatement({ destination, worker: this.#worker, leaseUntil: now + this.#leaseMs, now, n: room, lock: sql.raw('') }).compile(this.#store.db);
      const rows = db.all(claim.sql, claim.parameters as SqlValue[]) as unknown as OutboxRow[];
      return { messages: rows.sort((a, b) => Number(a.id) - Number(b.id)).map(toClaimed), blockedUntil: 0 };
      // A lost claim only means the message is claimed again: no need to wait for the disk.
    }, { durable: false });
  }

  /**
   * PostgreSQL's common case (no rate limit, circuit closed, not paused, no lease reclaim due) as
   * one call of `interlock_claim_heads` (migration 0803), one round trip and one statement whose
   * own statements' plans the connection keeps: it locks the destination's row, claims only if
   * that row says the destination is healthy, and counts what is in flight after the lock, so it
   * sees every earlier claim, as in {@link #claim}; its commit does not wait for the disk. It
   * mirrors {@link claimHeadsStatement}. Anything else (a paused destination, an open circuit)
   * has claimed nothing — the function answers one row of NULLs — and resolves to undefined, for
   * {@link #claim} to handle.
   */
  async #claimInOneExchange(withSession: NonNullable<Store['withSession']>, max: number, now: number): Promise<ClaimResult | undefined> {
    return withSession(async (s) => {
      const [claimed] = await s.query(
        `SELECT * FROM interlock_claim_heads(${s.literal(this.#destination)}, ${s.literal(this.#worker)}, ${int(now)}, ${int(now + this.#leaseMs)}, ${int(this.#policy.concurrency)}, ${int(max)})`,
      );
      const rows = (claimed?.rows ?? []) as OutboxRow[];
      if (rows.length === 1 && rows[0]!.id === null) return undefined;
      return { messages: rows.sort((a, b) => Number(a.id) - Number(b.id)).map(toClaimed), blockedUntil: 0 };
    });
  }

  #claim(max: number, now: number): Promise<ClaimResult> {
    const store = this.#store;
    const destination = this.#destination;
    const policy = this.#policy;
    return store.transaction(async (trx) => {
      // A row another claim of this claimer is inserting, not committed yet, is not seen here:
      // inserting it (which waits for that claim) and looking again finds it.
      let found = this.#stateRowExists ? await lockDestinationState(store, trx, destination) : undefined;
      if (found === undefined) {
        await ensureDestinationState(trx, destination, policy, now);
        found = await lockDestinationState(store, trx, destination);
      }
      const state = found!;
      this.#stateRowExists = true;
      if (state.paused_until > now) return { messages: [], blockedUntil: state.paused_until };
      if (now - this.#reclaimedAt >= RECLAIM_EVERY_MS) {
        await reclaimExpiredLeases(trx, destination, now);
        this.#reclaimedAt = now;
      }
      if (policy.rateLimit === null && state.circuit === 'closed') {
        // The common case: only the shared concurrency cap limits the claim, and nothing is
        // written back. The claim statement counts what is in flight itself — after the lock
        // above, so it sees every earlier claim — which saves a round trip per claim.
        const room = roomLeft({ destination, concurrency: policy.concurrency, max });
        const rows = max <= 0 ? [] : await claimHeads(trx, store.lockClause, destination, this.#worker, room, now, this.#leaseMs);
        return { messages: rows.map(toClaimed), blockedUntil: 0 };
      }

      const { inFlight } = (await trx
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('inFlight'))
        .where('destination', '=', destination)
        .where('status', '=', 'delivering')
        .executeTakeFirstOrThrow()) as { inFlight: number | string };
      const circuit: Circuit = { state: state.circuit, consecutiveFailures: state.consecutive_failures, openedAt: state.opened_at };
      const byCircuit = admits(policy.circuit, circuit, now, Number(inFlight));
      let n = Math.min(max, policy.concurrency - Number(inFlight), byCircuit);
      if (n <= 0) {
        const until = circuit.state === 'open' ? (circuit.openedAt ?? now) + policy.circuit.cooldownMs : 0;
        return { messages: [], blockedUntil: until };
      }
      let bucket = { tokens: state.tokens, refilledAt: state.refilled_at };
      let waitMs = 0;
      if (policy.rateLimit !== null) {
        const taken = takeTokens(policy.rateLimit, bucket, now, n);
        n = taken.granted;
        waitMs = taken.waitMs;
        bucket = taken.state;
      }
      const rows = n <= 0 ? [] : await claimHeads(trx, store.lockClause, destination, this.#worker, n, now, this.#leaseMs);
      if (policy.rateLimit !== null) {
        // Return tokens that found no message to spend them on.
        bucket = { ...bucket, tokens: Math.min(policy.rateLimit.burst, bucket.tokens + (n - rows.length)) };
      }
      const next = rows.length > 0 && byCircuit !== Number.POSITIVE_INFINITY ? onProbe(circuit) : circuit;
      // Without a rate limit and with the circuit unchanged there is nothing to write back.
      if (policy.rateLimit !== null || next.state !== circuit.state) {
        await trx
          .updateTable('destination_state')
          .set({ tokens: bucket.tokens, refilled_at: bucket.refilledAt, circuit: next.state })
          .where('destination', '=', destination)
          .execute();
      }
      return {
        messages: rows.map(toClaimed),
        blockedUntil: rows.length === 0 && waitMs > 0 ? now + waitMs : 0,
      };
      // A lost claim only means the message is claimed again: no need to wait for the disk.
    }, { durable: false });
  }
}

async function ensureDestinationState(trx: Kysely<Database>, destination: string, policy: DestinationConfig, now: number) {
  await trx
    .insertInto('destination_state')
    .values({
      destination,
      tokens: policy.rateLimit?.burst ?? 0,
      refilled_at: now,
      paused_until: 0,
      circuit: 'closed',
      consecutive_failures: 0,
      opened_at: null,
    })
    .onConflict((oc) => oc.column('destination').doNothing())
    .execute();
}

// The row lock serialises claims for one destination across workers (PostgreSQL); in SQLite
// the transaction itself does.
async function lockDestinationState(store: Store, trx: Kysely<Database>, destination: string) {
  const { rows } = await sql<Database['destination_state']>`
    SELECT * FROM destination_state WHERE destination = ${destination}
    ${sql.raw(store.dialect === 'postgres' ? 'FOR UPDATE' : '')}`.execute(trx);
  return rows[0];
}

// Expired leases: their workers died (or lost them); the messages are open work again, and the
// dead worker's late completion is fenced out by the status change.
async function reclaimExpiredLeases(trx: Kysely<Database>, destination: string, now: number) {
  await trx
    .updateTable('outbox')
    .set({ status: 'pending', lease_owner: null, lease_until: null })
    .where('destination', '=', destination)
    .where('status', '=', 'delivering')
    .where('lease_until', '<=', now)
    .execute();
}

async function claimHeads(
  trx: Kysely<Database>,
  lockClause: string,
  destination: string,
  worker: string,
  n: number | RawBuilder<number>,
  now: number,
  leaseMs: number,
) {
  const statement = claimHeadsStatement({ destination, worker, leaseUntil: now + leaseMs, now, n, lock: sql.raw(lockClause) });
  const { rows } = await statement.execute(trx);
  // RETURNING order is not guaranteed; deliveries start in id order.
  return [...rows].sort((a, b) => Number(a.id) - Number(b.id));
}

const STATE_OF = 'SELECT paused_until, circuit FROM destination_state WHERE destination = ?';

/** How many more messages the destination's concurrency cap lets be claimed now, at most `max`. */
function roomLeft(v: { destination: string; concurrency: number; max: number }): RawBuilder<number> {
  return sql<number>`(SELECT CASE WHEN count(*) >= ${v.concurrency} THEN 0 WHEN ${v.concurrency} - count(*) < ${v.max} THEN ${v.concurrency} - count(*) ELSE ${v.max} END
          FROM outbox WHERE destination = ${v.destination} AND status = 'delivering')`;
}

/**
 * The claim: walk due messages in id order and keep each one that heads its key, stopping at n.
 * Ordering by the full (destination, status, id) index key — the first two are fixed by the
 * WHERE — makes both databases walk that index lazily instead of collecting and sorting every
 * due message, whatever their statistics say; the head test is one probe of the partial index.
 * PostgreSQL's short path runs a copy of it in `interlock_claim_heads` (migration 0803): a change
 * here needs a migration that replaces that function.
 */
function claimHeadsStatement(v: {
  destination: string;
  worker: string;
  leaseUntil: number;
  now: number;
  n: number | RawBuilder<number>;
  lock: RawBuilder<unknown>;
}): RawBuilder<OutboxRow> {
  return sql<OutboxRow>`UPDATE outbox
       SET status = 'delivering', lease_owner = ${v.worker}, lease_until = ${v.leaseUntil}, attempts = attempts + 1
     WHERE id IN (
       SELECT o.id FROM outbox o
        WHERE o.destination = ${v.destination}
          AND o.status = 'pending'
          AND o.next_attempt_at <= ${v.now}
          AND o.id = (
            SELECT min(p.id) FROM outbox p
             WHERE p.destination = o.destination AND p.key = o.key
               AND p.status IN ('pending', 'delivering'))
        ORDER BY o.destination, o.status, o.id
        LIMIT ${v.n}
        ${v.lock})
    RETURNING id, destination, key, idempotency_key, payload, headers, attempts, created_at`;
}

type OutboxRow = Pick<
  Selectable<OutboxTable>,
  'id' | 'destination' | 'key' | 'idempotency_key' | 'payload' | 'headers' | 'attempts' | 'created_at'
>;

function toClaimed(row: OutboxRow): ClaimedMessage {
  return {
    id: Number(row.id),
    destination: row.destination,
    key: row.key,
    idempotencyKey: row.idempotency_key,
    payload: row.payload,
    headers: JSON.parse(row.headers) as Record<string, string>,
    attempt: Number(row.attempts),
    createdAt: Number(row.created_at),
  };
}
