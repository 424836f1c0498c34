/**
 * The journal writer: step results, run status changes, outbox messages and dead letters, written
 * in grouped transactions (see `group-commit.ts`). Many runs execute at once, each waiting for its
 * own write, so one commit covers the steps of many runs while every step is still durable before
 * the next one starts. Every write is fenced by the run's lease: a worker that lost it writes
 * nothing, and a write renews the lease of a run still held once half of it is gone (the worker's
 * heartbeat renews it too, while a step runs long).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { Database } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';
import type { RunStatus } from '../../store/migrations/0200-flows.ts';
import type { LineageRefTable } from '../../store/migrations/0800-observability.ts';
import { park } from '../dead-letters.ts';
import { GroupCommit } from '../group-commit.ts';
import { enqueue, type OutboundMessage } from '../outbox.ts';
import { journalStatements, RunField, type JournalStatements, type RunChange } from './journal-sql.ts';
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
  /** Records the step named (lineage), indexed with the step's entry. */
  refs?: LineageRefTable[];
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
  readonly #writers: Array<GroupCommit<JournalWrite, WriteResult>>;
  readonly #sql: JournalStatements;
  /** When the leases of runs this worker executes end, as far as it knows (claims and renewals). */
  readonly #leases = new Map<number, number>();
  /** Statements written and transactions committed, for the benchmark's writes-per-step figures. */
  statements = 0;
  commits = 0;

  constructor(options: { store: Store; clock: Clock; worker: string; leaseMs: number }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#worker = options.worker;
    this.#leaseMs = options.leaseMs;
    this.#sql = journalStatements(options.store.dialect);
    // PostgreSQL commits on several connections at once: a few writers, each owning a share of
    // the runs, so one run's writes stay in order. SQLite has one connection: one writer.
    const shards = options.store.dialect === 'postgres' ? 4 : 1;
    this.#writers = Array.from({ length: shards }, () => new GroupCommit<JournalWrite, WriteResult>((batch) => this.#write(batch), 256));
  }

  /** Writes `item`; resolves once it is durable (or known not to be ours). */
  write(item: JournalWrite): Promise<WriteResult> {
    return this.#writers[item.runId % this.#writers.length]!.submit(item);
  }

  /** Waits for every submitted write. */
  async drain(): Promise<void> {
    await Promise.all(this.#writers.map((w) => w.drain()));
  }

  async #write(batch: readonly JournalWrite[]): Promise<WriteResult[]> {
    const now = this.#clock.now();
    const until = now + this.#leaseMs;
    const ids = [...new Set(batch.map((w) => w.runId))];
    let notifyOutbox = false;
    let notifyRuns = false;
    const renewed: number[] = [];
    this.commits += 1;
    const results = await this.#store.transaction(async (trx) => {
      // A lease with more than half its time to go is only checked (and, on PostgreSQL, locked),
      // not renewed: rewriting the run's row on every step cost more than the step's own entry.
      const renew: number[] = [];
      const check: number[] = [];
      for (const id of ids) ((this.#leases.get(id) ?? 0) - now < this.#leaseMs / 2 ? renew : check).push(id);
      const owned = new Map<number, RunStatus>();
      if (renew.length > 0) {
        for (const r of await this.#sql.renewLeases(trx, renew, this.#worker, until, now)) {
          owned.set(r.id, r.status);
          renewed.push(r.id);
        }
        this.statements += 1;
      }
      // Where the database is a round trip away, a batch that renews no lease is checked and its
      // entries and references written in one statement (of the runs still held).
      const together = renew.length === 0 && this.#sql.fenceAndWrite !== undefined;
      if (together) {
        const rows = await this.#sql.fenceAndWrite!(trx, check, this.#worker, collect(batch, 'steps'), collect(batch, 'refs'));
        for (const r of rows) owned.set(r.id, r.status);
        this.statements += 1;
      } else if (check.length > 0) {
        for (const r of await this.#sql.fence(trx, check, this.#worker)) owned.set(r.id, r.status);
        this.statements += 1;
      }
      const mine = owned.size === ids.length ? batch : batch.filter((w) => owned.has(w.runId));
      if (!together) {
        const steps = collect(mine, 'steps');
        if (steps.length > 0) this.statements += await this.#sql.upsertSteps(trx, steps);
        const refs = collect(mine, 'refs');
        if (refs.length > 0) {
          await this.#sql.insertRefs(trx, refs);
          this.statements += 1;
        }
      }
      const messages = collect(mine, 'messages');
      if (messages.length > 0) {
        await enqueue(trx, messages, now);
        this.statements += 1;
        notifyOutbox = true;
      }
      const changes = new Map<number, RunChange>();
      const cancelled = new Set<number>();
      for (const w of mine) {
        if (w.run === undefined) continue;
        if (w.run.forward === true && owned.get(w.runId) === 'compensating') {
          // Cancelled meanwhile: whatever forward execution meant to record, the run compensates now.
          cancelled.add(w.runId);
          addChange(changes, { runId: w.runId, mask: RunField.wake_at | RunField.waiting_for | RunField.release, wake_at: now, waiting_for: null });
          continue;
        }
        const change = runChange(w.runId, w.run, now);
        addChange(changes, change);
        if (typeof change.status === 'string') owned.set(w.runId, change.status as RunStatus);
      }
      if (changes.size > 0) {
        await this.#sql.updateRuns(trx, [...changes.values()], now);
        this.statements += 1;
      }
      const live = mine.filter((w) => !cancelled.has(w.runId));
      for (const w of live) if (w.deadLetter !== undefined) await this.#park(trx, w.runId, w.deadLetter, now);
      const promotions = live.flatMap((w) => (w.promote === undefined ? [] : [w.promote]));
      if (promotions.length > 0) notifyRuns = await this.#promote(trx, promotions, now);
      return batch.map((w) => ({ owned: owned.has(w.runId), status: owned.get(w.runId) }));
    });
    this.#noteLeases(batch, results, renewed, until);
    if (notifyOutbox) this.#store.notify('outbox');
    if (notifyRuns) this.#store.notify('runs');
    return results;
  }

  /**
   * Notes that this worker holds `runId`'s lease until `until` (a claim). The journal renews a
   * lease with a write only once it is half gone; until then a write just checks it.
   */
  held(runId: number, until: number): void {
    this.#leases.set(runId, until);
  }

  /** Forgets `runId`'s lease (its execution is over): its next write, if any, renews it. */
  forget(runId: number): void {
    this.#leases.delete(runId);
  }

  /** After a commit: leases renewed run to `until`; leases given back or lost are forgotten. */
  #noteLeases(batch: readonly JournalWrite[], results: readonly WriteResult[], renewed: readonly number[], until: number): void {
    for (const id of renewed) this.#leases.set(id, until);
    batch.forEach((w, i) => {
      if (w.run?.release === true || !results[i]!.owned) this.#leases.delete(w.runId);
    });
  }

  async #park(trx: Kysely<Database>, runId: number, dl: NonNullable<JournalWrite['deadLetter']>, now: number): Promise<void> {
    await park(trx, { kind: 'run', messageId: runId, source: 'flows', errorClass: dl.errorClass, reason: dl.reason, attempts: dl.attempts }, now);
    this.statements += 1;
  }

  /** Starts the oldest queued run of each flow and key whose active run just ended. */
  async #promote(trx: Kysely<Database>, ended: ReadonlyArray<{ flow: string; key: string }>, now: number): Promise<boolean> {
    const heads = await trx
      .selectFrom('flow_runs')
      .select((eb) => eb.fn.min('id').as('id'))
      .where('status', '=', 'queued')
      .where((eb) => eb.or(ended.map((p) => eb.and([eb('flow', '=', p.flow), eb('key', '=', p.key)]))))
      .groupBy(['flow', 'key'])
      .execute();
    this.statements += 1;
    if (heads.length === 0) return false;
    await trx
      .updateTable('flow_runs')
      .set({ status: 'running', wake_at: now, updated_at: now })
      .where('id', 'in', heads.map((h) => Number(h.id)))
      .where('status', '=', 'queued')
      .execute();
    this.statements += 1;
    return true;
  }
}

/** The columns `update` sets, as one {@link RunChange}. */
function runChange(runId: number, update: RunUpdate, now: number): RunChange {
  const change: RunChange = { runId, mask: 0 };
  // Only what the update names is written; a field left undefined keeps its value.
  for (const field of ['status', 'output', 'error', 'stop_reason', 'waiting_for', 'wake_at'] as const) {
    if (update[field] === undefined) continue;
    change.mask |= RunField[field];
    change[field] = update[field] as never;
  }
  // A run ends when its last write commits: the commit's time, shared by every run it ends.
  if (update.ended_at !== undefined && update.ended_at !== null) {
    change.mask |= RunField.ended_at;
    change.ended_at = now;
  }
  if (update.release === true) change.mask |= RunField.release;
  return change;
}

/** Adds `change` to `changes`, merged into an earlier change of the same run (later fields win): one row per run. */
function addChange(changes: Map<number, RunChange>, change: RunChange): void {
  const earlier = changes.get(change.runId);
  changes.set(change.runId, earlier === undefined ? change : { ...earlier, ...change, mask: earlier.mask | change.mask });
}

/** The `field` lists of `writes`, concatenated. */
function collect<K extends 'steps' | 'refs' | 'messages'>(writes: readonly JournalWrite[], field: K): Array<NonNullable<JournalWrite[K]>[number]> {
  const out: Array<NonNullable<JournalWrite[K]>[number]> = [];
  for (const w of writes) {
    const list = w[field];
    if (list !== undefined) for (const item of list) out.push(item);
  }
  return out;
}
