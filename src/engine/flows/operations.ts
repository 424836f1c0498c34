/**
 * What operators (CLI, admin API) and inbound events do to runs: list and inspect them with their
 * step timeline, retry a failed step, cancel (with compensation), decide an approval, and deliver
 * an event to the runs waiting for it. Each is one transaction, conditional on the run's status,
 * so it cannot collide with a worker that holds the run.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import { conflictError, notFoundError, validationError } from '../../core/errors.ts';
import type { ApprovalDecision } from '../../flows/define-flow.ts';
import type { Database } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';
import type { RunStatus } from '../../store/migrations/0200-flows.ts';
import { toRunRow, toStepRow, type RunRow } from './run-rows.ts';
import { APPROVAL, deliverEvent, resumeWait } from './waits.ts';
import { summary, timelineEntry, type RunDetail, type RunSummary } from './views.ts';

/** Which runs to list. */
export interface RunFilter {
  flow?: string;
  key?: string;
  status?: RunStatus;
}

/** Operations on runs. */
export class RunOperations {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Runs matching `filter`, newest first. */
  async list(filter: RunFilter = {}, limit = 100, offset = 0): Promise<RunSummary[]> {
    let q = this.#store.db.selectFrom('flow_runs').selectAll();
    if (filter.flow !== undefined) q = q.where('flow', '=', filter.flow);
    if (filter.key !== undefined) q = q.where('key', '=', filter.key);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    const rows = await q.orderBy('id', 'desc').limit(limit).offset(offset).execute();
    return rows.map((r) => summary(toRunRow(r)));
  }

  /** One run with its input, output and step timeline; throws `not-found`. */
  async get(id: number): Promise<RunDetail> {
    const run = await this.#run(this.#store.db, id);
    const steps = await this.#store.db.selectFrom('flow_steps').selectAll().where('run_id', '=', id).execute();
    const timeline = steps.map(toStepRow).sort((a, b) => a.seq - b.seq || a.started_at - b.started_at);
    return {
      ...summary(run),
      input: JSON.parse(run.input) as unknown,
      output: run.output === null ? null : (JSON.parse(run.output) as unknown),
      steps: timeline.map(timelineEntry),
    };
  }

  /**
   * Retries what stopped a run: the failed step of a `failed` run, the failed compensation of a
   * `compensation-failed` one, or (now, not after its backoff) a step waiting to be retried.
   */
  async retry(id: number, actor: string): Promise<{ retried: string }> {
    const now = this.#clock.now();
    const retried = await this.#store.transaction(async (trx) => {
      const run = await this.#run(trx, id);
      const steps = (await trx.selectFrom('flow_steps').selectAll().where('run_id', '=', id).execute()).map(toStepRow);
      if (run.status === 'failed' || run.status === 'compensation-failed') {
        const failed = steps.filter((s) => s.status === 'failed');
        if (failed.length > 0) {
          await trx.deleteFrom('flow_steps').where('run_id', '=', id).where('name', 'in', failed.map((s) => s.name)).execute();
        }
        const status = run.status === 'failed' ? 'running' : 'compensating';
        await this.#reopen(trx, run, status, now);
        await trx
          .updateTable('dead_letters')
          .set({ state: 'replayed', resolved_at: now, resolved_by: actor })
          .where('kind', '=', 'run')
          .where('message_id', '=', id)
          .where('state', '=', 'parked')
          .execute();
        return failed.map((s) => s.name).join(', ') || '(run)';
      }
      const backoff = steps.find((s) => s.status === 'retrying');
      if (backoff !== undefined && run.lease_owner === null && (run.status === 'running' || run.status === 'compensating')) {
        await trx.updateTable('flow_runs').set({ wake_at: now, updated_at: now }).where('id', '=', id).where('lease_owner', 'is', null).execute();
        return backoff.name;
      }
      throw conflictError(`run ${id} is ${run.status}; nothing to retry`, { type: 'nothing-to-retry' });
    });
    this.#store.notify('runs');
    return { retried };
  }

  /** Cancels a run: a queued run ends at once; an active one compensates what it did, then ends `cancelled`. */
  async cancel(id: number, actor: string): Promise<{ status: RunStatus }> {
    const now = this.#clock.now();
    const status = await this.#store.transaction(async (trx) => {
      const run = await this.#run(trx, id);
      if (run.status === 'queued') {
        await trx
          .updateTable('flow_runs')
          .set({ status: 'cancelled', stop_reason: 'cancelled', error: `cancelled by ${actor}`, ended_at: now, updated_at: now })
          .where('id', '=', id)
          .where('status', '=', 'queued')
          .execute();
        return 'cancelled' as const;
      }
      if (run.status !== 'running' && run.status !== 'waiting') throw conflictError(`run ${id} is ${run.status} and cannot be cancelled`, { type: 'not-cancellable' });
      // A worker holding the run sees the change at its next journal write; else any worker takes it now.
      await trx
        .updateTable('flow_runs')
        .set((eb) => ({
          status: 'compensating',
          stop_reason: 'cancelled',
          error: `cancelled by ${actor}`,
          waiting_for: null,
          updated_at: now,
          wake_at: eb.case().when('lease_owner', 'is', null).then(now).else(eb.ref('wake_at')).end(),
        }))
        .where('id', '=', id)
        .where('status', 'in', ['running', 'waiting'])
        .execute();
      return 'compensating' as const;
    });
    this.#store.notify('runs');
    return { status };
  }

  /** Records a decision on the approval run `id` waits for. */
  async decide(id: number, decision: { approved: boolean; by: string; reason?: string | null }): Promise<ApprovalDecision> {
    if (typeof decision.by !== 'string' || decision.by.trim() === '') throw validationError('a decision needs who made it ("by")');
    const recorded: ApprovalDecision = {
      approved: decision.approved,
      by: decision.by.slice(0, 200),
      at: new Date(this.#clock.now()).toISOString(),
      reason: decision.reason ?? null,
    };
    const ok = await this.#store.transaction(async (trx) => {
      const run = await this.#run(trx, id);
      if (run.status !== 'waiting' || run.waiting_for !== APPROVAL) return false;
      return resumeWait(trx, run, 'approval', recorded, this.#clock.now());
    });
    if (!ok) throw conflictError(`run ${id} is not waiting for an approval`, { type: 'not-awaiting-approval' });
    this.#store.notify('runs');
    return recorded;
  }

  /** Delivers event `body` of `type` to the runs waiting for it (only run `runId` if given); resolves to their ids. */
  async sendEvent(type: string, body: unknown, runId?: number): Promise<number[]> {
    const delivered = await this.#store.transaction((trx) => this.deliverEvent(trx, type, body, runId));
    if (delivered.length > 0) this.#store.notify('runs');
    return delivered;
  }

  /** {@link sendEvent} within `trx` (the inbox processor's transaction, for exactly-once delivery). */
  deliverEvent(trx: Kysely<Database>, type: string, body: unknown, runId?: number): Promise<number[]> {
    return deliverEvent(trx, this.#clock.now(), type, body, runId);
  }

  async #reopen(trx: Kysely<Database>, run: RunRow, status: 'running' | 'compensating', now: number): Promise<void> {
    try {
      await trx
        .updateTable('flow_runs')
        .set({ status, wake_at: now, ended_at: null, updated_at: now, ...(status === 'running' ? { error: null, stop_reason: null } : {}) })
        .where('id', '=', run.id)
        .execute();
    } catch (err) {
      throw conflictError(`run ${run.id} cannot be reopened: another run of flow "${run.flow}" for key "${run.key}" is active`, { cause: err });
    }
  }

  async #run(db: Kysely<Database>, id: number): Promise<RunRow> {
    const row = await db.selectFrom('flow_runs').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw notFoundError(`no run with id ${id}`);
    return toRunRow(row);
  }
}
