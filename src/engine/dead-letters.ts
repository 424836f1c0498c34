/**
 * Dead letters: what retries could not fix, parked with its reason, attempts and last response.
 * Operators list and inspect them, and replay or discard one or all that match a filter. A
 * replayed message goes back to the outbox (or inbox) with its original idempotency key, so the
 * destination sees it once however often it was attempted before.
 */
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { notFoundError, validationError } from '../core/errors.ts';
import type { Database } from '../store/schema.ts';
import type { DeadLetterTable, FailureClass } from '../store/migrations/0001-engine.ts';
import type { Store } from '../store/store.ts';
import { reopenRuns } from './flows/reopen.ts';

/** Which dead letters an operation applies to. All fields are optional and combine with AND. */
export interface DeadLetterFilter {
  ids?: readonly number[];
  destination?: string;
  source?: string;
  errorClass?: FailureClass;
  /** Parked at or after (epoch ms). */
  from?: number;
  /** Parked before (epoch ms). */
  to?: number;
  /** @default 'parked' */
  state?: DeadLetterTable['state'] | 'any';
}

/** A dead letter as shown to operators. */
export interface DeadLetter {
  id: number;
  kind: DeadLetterTable['kind'];
  messageId: number;
  destination: string | null;
  source: string | null;
  errorClass: FailureClass;
  reason: string;
  attempts: number;
  lastStatus: number | null;
  lastResponse: string | null;
  parkedAt: string;
  state: DeadLetterTable['state'];
  resolvedAt: string | null;
  resolvedBy: string | null;
}

/** A dead letter with the message it parked. */
export interface DeadLetterDetail extends DeadLetter {
  message: { key?: string; idempotencyKey?: string; payload: string; headers: Record<string, string> } | null;
}

const ERROR_CLASSES: readonly FailureClass[] = ['retryable', 'rate-limited', 'permanent'];

/** What is recorded when something is parked. */
export interface ParkedLetter {
  kind: DeadLetterTable['kind'];
  messageId: number;
  destination?: string | null;
  source?: string | null;
  errorClass: FailureClass;
  reason: string;
  attempts: number;
  lastStatus?: number | null;
  lastResponse?: string | null;
}

/** Parks `letter` within `trx`, in the same transaction as the status change of what it parks. */
export async function park(trx: Kysely<Database>, letter: ParkedLetter, now: number): Promise<void> {
  await trx
    .insertInto('dead_letters')
    .values({
      kind: letter.kind,
      message_id: letter.messageId,
      destination: letter.destination ?? null,
      source: letter.source ?? null,
      error_class: letter.errorClass,
      reason: letter.reason.slice(0, 1000),
      attempts: letter.attempts,
      last_status: letter.lastStatus ?? null,
      last_response: letter.lastResponse ?? null,
      parked_at: now,
      state: 'parked',
      resolved_at: null,
      resolved_by: null,
    })
    .execute();
}

/** Operations on dead letters. */
export class DeadLetters {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Lists dead letters matching `filter`, newest first. */
  async list(filter: DeadLetterFilter = {}, limit = 100, offset = 0): Promise<DeadLetter[]> {
    checkFilter(filter);
    const rows = await this.#store.db
      .selectFrom('dead_letters')
      .selectAll()
      .where((eb) => matches(eb, filter))
      .orderBy('id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map(toDeadLetter);
  }

  /** One dead letter with its message; throws `not-found`. */
  async get(id: number): Promise<DeadLetterDetail> {
    const row = await this.#store.db.selectFrom('dead_letters').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw notFoundError(`no dead letter with id ${id}`);
    let message: DeadLetterDetail['message'] = null;
    if (row.kind === 'delivery') {
      const m = await this.#store.db.selectFrom('outbox').selectAll().where('id', '=', Number(row.message_id)).executeTakeFirst();
      if (m !== undefined) message = { key: m.key, idempotencyKey: m.idempotency_key, payload: m.payload, headers: JSON.parse(m.headers) };
    } else if (row.kind === 'run') {
      const r = await this.#store.db.selectFrom('flow_runs').selectAll().where('id', '=', Number(row.message_id)).executeTakeFirst();
      if (r !== undefined) message = { key: `${r.flow}/${r.key}`, payload: r.input, headers: {} };
    } else {
      const m = await this.#store.db.selectFrom('inbox').selectAll().where('id', '=', Number(row.message_id)).executeTakeFirst();
      if (m !== undefined) message = { payload: m.body, headers: JSON.parse(m.headers) };
    }
    return { ...toDeadLetter(row), message };
  }

  /** Puts parked messages matching `filter` back to work; resolves to how many. */
  async replay(filter: DeadLetterFilter, actor: string): Promise<number> {
    return this.#resolve(filter, actor, 'replayed');
  }

  /** Gives up on parked messages matching `filter` for good; resolves to how many. */
  async discard(filter: DeadLetterFilter, actor: string): Promise<number> {
    return this.#resolve(filter, actor, 'discarded');
  }

  async #resolve(filter: DeadLetterFilter, actor: string, to: 'replayed' | 'discarded'): Promise<number> {
    checkFilter(filter);
    if (filter.state !== undefined && filter.state !== 'parked') {
      throw validationError('only parked dead letters can be replayed or discarded');
    }
    const now = this.#clock.now();
    const count = await this.#store.transaction(async (trx) => {
      const rows = await trx
        .selectFrom('dead_letters')
        .select(['id', 'kind', 'message_id'])
        .where((eb) => matches(eb, { ...filter, state: 'parked' }))
        .execute();
      if (rows.length === 0) return 0;
      await trx
        .updateTable('dead_letters')
        .set({ state: to, resolved_at: now, resolved_by: actor })
        .where('id', 'in', rows.map((r) => Number(r.id)))
        .where('state', '=', 'parked')
        .execute();
      await this.#release(trx, rows.filter((r) => r.kind === 'delivery').map((r) => Number(r.message_id)), 'outbox', to, now);
      await this.#release(trx, rows.filter((r) => r.kind === 'inbox').map((r) => Number(r.message_id)), 'inbox', to, now);
      if (to === 'replayed') await reopenRuns(trx, rows.filter((r) => r.kind === 'run').map((r) => Number(r.message_id)), now);
      return rows.length;
    });
    if (count > 0 && to === 'replayed') {
      this.#store.notify('outbox');
      this.#store.notify('inbox');
      this.#store.notify('runs');
    }
    return count;
  }

  async #release(trx: Kysely<Database>, ids: number[], table: 'outbox' | 'inbox', to: 'replayed' | 'discarded', now: number) {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      if (table === 'outbox') {
        await trx
          .updateTable('outbox')
          .set(
            to === 'replayed'
              ? { status: 'pending', attempts: 0, next_attempt_at: now, created_at: now, last_error: null }
              : { status: 'discarded', delivered_at: now },
          )
          .where('id', 'in', chunk)
          .where('status', '=', 'dead')
          .execute();
      } else {
        await trx
          .updateTable('inbox')
          .set(to === 'replayed' ? { status: 'pending', error: null } : { status: 'processed', processed_at: now })
          .where('id', 'in', chunk)
          .where('status', '=', 'dead')
          .execute();
      }
    }
  }
}

function checkFilter(f: DeadLetterFilter): void {
  if (f.errorClass !== undefined && !ERROR_CLASSES.includes(f.errorClass)) {
    throw validationError(`errorClass "${f.errorClass}" is not one of ${ERROR_CLASSES.join(', ')}`);
  }
  if (f.from !== undefined && f.to !== undefined && f.from > f.to) throw validationError('"from" is after "to"');
}

function matches(eb: ExpressionBuilder<Database, 'dead_letters'>, f: DeadLetterFilter): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [];
  const state = f.state ?? 'parked';
  if (state !== 'any') conditions.push(eb('state', '=', state));
  if (f.ids !== undefined) conditions.push(f.ids.length === 0 ? eb.val(false) as never : eb('id', 'in', [...f.ids]));
  if (f.destination !== undefined) conditions.push(eb('destination', '=', f.destination));
  if (f.source !== undefined) conditions.push(eb('source', '=', f.source));
  if (f.errorClass !== undefined) conditions.push(eb('error_class', '=', f.errorClass));
  if (f.from !== undefined) conditions.push(eb('parked_at', '>=', f.from));
  if (f.to !== undefined) conditions.push(eb('parked_at', '<', f.to));
  return eb.and(conditions);
}

function toDeadLetter(r: {
  id: number;
  kind: DeadLetterTable['kind'];
  message_id: number;
  destination: string | null;
  source: string | null;
  error_class: FailureClass;
  reason: string;
  attempts: number;
  last_status: number | null;
  last_response: string | null;
  parked_at: number;
  state: DeadLetterTable['state'];
  resolved_at: number | null;
  resolved_by: string | null;
}): DeadLetter {
  return {
    id: Number(r.id),
    kind: r.kind,
    messageId: Number(r.message_id),
    destination: r.destination,
    source: r.source,
    errorClass: r.error_class,
    reason: r.reason,
    attempts: r.attempts,
    lastStatus: r.last_status,
    lastResponse: r.last_response,
    parkedAt: new Date(Number(r.parked_at)).toISOString(),
    state: r.state,
    resolvedAt: r.resolved_at === null ? null : new Date(Number(r.resolved_at)).toISOString(),
    resolvedBy: r.resolved_by,
  };
}
