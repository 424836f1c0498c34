/**
 * The journal writer: step results, run status changes, outbox messages and dead letters, written
 * in grouped transactions (see `group-commit.ts`). Many runs execute at once, each waiting for its
 * own write, so one commit covers the steps of many runs while every step is still durable before
 * the next one starts. Every write is fenced by the run's lease: a worker that lost it writes
 * nothing, and each write renews the lease of a run still held.
 */
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { Database } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';
import type { RunStatus } from '../../store/migrations/0200-flows.ts';
import { GroupCommit } from '../group-commit.ts';
import { enqueue, type OutboundMessage } from '../outbox.ts';
import type { RunRow, StepRow } from './run-rows.ts';

/** A change to a run's row, written with a journal entry. */
export type RunUpdate = Partial<Pick<RunRow, 'status' | 'output' | 'error' | 'stop_reason' | 'waiting_for' | 'wake_at' | 'ended_at'>> & {
  /** Give the lease back (the run waits, or is over). */
  release?: boolean;
  /**
   * Written by forward execution (a wait, a backoff): if an operator cancelled the run meanwhile,
   * the run is handed straight to compensation instead.
   */
  forward?: boolean;
};

/** One journal write of one run. */
export interface JournalWrite {
  runId: number;
  steps?: StepRow[];
  run?: RunUpdate;
  messages?: OutboundMessage[];
  /** Park the run as a dead letter with this reason. */
  deadLetter?: { reason: string; attempts: number; errorClass: 'retryable' | 'permanent' };
  /** The run is over: start the oldest run queued behind it for the same flow and key. */
  promote?: { flow: string; key: string };
}

/** What a write found: whether this worker still held the run, and the run's status then. */
export interface WriteResult {
  owned: boolean;
  status: RunStatus | undefined;
}

/** Grouped, lease-fenced journal writes for one worker. */
export class Journal {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #worker: string;
  readonly #leaseMs: number;
  readonly #writer: GroupCommit<JournalWrite, WriteResult>;
  /** Statements written, for the benchmark's writes-per-step figure. */
  statements = 0;

  constructor(options: { store: Store; clock: Clock; worker: string; leaseMs: number }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#worker = options.worker;
    this.#leaseMs = options.leaseMs;
    this.#writer = new GroupCommit((batch) => this.#write(batch), 256);
  }

  /** Writes `item`; resolves once it is durable (or known not to be ours). */
  write(item: JournalWrite): Promise<WriteResult> {
    return this.#writer.submit(item);
  }

  /** Waits for every submitted write. */
  drain(): Promise<void> {
    return this.#writer.drain();
  }

  async #write(batch: readonly JournalWrite[]): Promise<WriteResult[]> {
    const now = this.#clock.now();
    const until = now + this.#leaseMs;
    const ids = [...new Set(batch.map((w) => w.runId))];
    let notifyOutbox = false;
    let notifyRuns = false;
    const results = await this.#store.transaction(async (trx) => {
      const { rows } = await sql<{ id: number; status: RunStatus }>`
        UPDATE flow_runs SET lease_until = ${until}, wake_at = ${until}, updated_at = ${now}
         WHERE id IN (${sql.join(ids)}) AND lease_owner = ${this.#worker}
        RETURNING id, status`.execute(trx);
      this.statements += 1;
      const owned = new Map(rows.map((r) => [Number(r.id), r.status]));
      const mine = batch.filter((w) => owned.has(w.runId));
      const steps = mine.flatMap((w) => w.steps ?? []);
      if (steps.length > 0) await this.#upsertSteps(trx, steps);
      const messages = mine.flatMap((w) => w.messages ?? []);
      if (messages.length > 0) {
        await enqueue(trx, messages, now);
        this.statements += 1;
        notifyOutbox = true;
      }
      for (const w of mine) {
        if (w.run !== undefined) {
          const { release, forward, ...requested } = w.run;
          const fields = forward === true && owned.get(w.runId) === 'compensating' ? { wake_at: now, waiting_for: null } : requested;
          await trx
            .updateTable('flow_runs')
            .set({ ...fields, updated_at: now, ...(release === true ? { lease_owner: null, lease_until: null } : {}) })
            .where('id', '=', w.runId)
            .execute();
          this.statements += 1;
          if (fields.status !== undefined) owned.set(w.runId, fields.status);
        }
        if (w.deadLetter !== undefined) await this.#park(trx, w.runId, w.deadLetter, now);
        if (w.promote !== undefined) notifyRuns = (await this.#promote(trx, w.promote, now)) || notifyRuns;
      }
      return batch.map((w) => ({ owned: owned.has(w.runId), status: owned.get(w.runId) }));
    });
    if (notifyOutbox) this.#store.notify('outbox');
    if (notifyRuns) this.#store.notify('runs');
    return results;
  }

  async #upsertSteps(trx: Kysely<Database>, steps: readonly StepRow[]): Promise<void> {
    for (let i = 0; i < steps.length; i += 200) {
      await trx
        .insertInto('flow_steps')
        .values(steps.slice(i, i + 200))
        .onConflict((oc) =>
          oc.columns(['run_id', 'name']).doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            attempts: eb.ref('excluded.attempts'),
            result: eb.ref('excluded.result'),
            error: eb.ref('excluded.error'),
            due_at: eb.ref('excluded.due_at'),
            ended_at: eb.ref('excluded.ended_at'),
          })),
        )
        .execute();
      this.statements += 1;
    }
  }

  async #park(trx: Kysely<Database>, runId: number, dl: NonNullable<JournalWrite['deadLetter']>, now: number): Promise<void> {
    await trx
      .insertInto('dead_letters')
      .values({
        kind: 'run' as never,
        message_id: runId,
        destination: null,
        source: 'flows',
        error_class: dl.errorClass,
        reason: dl.reason.slice(0, 1000),
        attempts: dl.attempts,
        last_status: null,
        last_response: null,
        parked_at: now,
        state: 'parked',
        resolved_at: null,
        resolved_by: null,
      })
      .execute();
    this.statements += 1;
  }

  async #promote(trx: Kysely<Database>, p: { flow: string; key: string }, now: number): Promise<boolean> {
    const next = await trx
      .selectFrom('flow_runs')
      .select('id')
      .where('flow', '=', p.flow)
      .where('key', '=', p.key)
      .where('status', '=', 'queued')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    if (next === undefined) return false;
    await trx
      .updateTable('flow_runs')
      .set({ status: 'running', wake_at: now, updated_at: now })
      .where('id', '=', Number(next.id))
      .where('status', '=', 'queued')
      .execute();
    this.statements += 2;
    return true;
  }
}
