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
import { pathGetter } from '../router.ts';
import { toRunRow, toStepRow, type RunRow, type StepRow } from './run-rows.ts';
import { summary, timelineEntry, type RunDetail, type RunSummary } from './views.ts';

/** Which runs to list. */
export interface RunFilter {
  flow?: string;
  key?: string;
  status?: RunStatus;
}

/** The waiting status marker of approvals (event waits use the event type). */
export const APPROVAL = '@approval';

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
      return this.#resume(trx, run, 'approval', recorded);
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
  async deliverEvent(trx: Kysely<Database>, type: string, body: unknown, runId?: number): Promise<number[]> {
    if (typeof type !== 'string' || type === '' || type === APPROVAL) throw validationError('an event needs a type');
    let q = trx.selectFrom('flow_runs').selectAll().where('waiting_for', '=', type).where('status', '=', 'waiting');
    if (runId !== undefined) q = q.where('id', '=', runId);
    const waiting = (await q.orderBy('id').limit(1000).execute()).map(toRunRow);
    const delivered: number[] = [];
    for (const run of waiting) {
      const step = await this.#waitingStep(trx, run.id, 'event');
      const want = step?.wait === null || step === undefined ? undefined : (JSON.parse(step.wait) as { match?: Record<string, unknown> });
      if (want === undefined || !matches(want.match ?? {}, body)) continue;
      if (await this.#resume(trx, run, 'event', body)) delivered.push(run.id);
    }
    return delivered;
  }

  async #resume(trx: Kysely<Database>, run: RunRow, kind: 'event' | 'approval', result: unknown): Promise<boolean> {
    const now = this.#clock.now();
    const step = await this.#waitingStep(trx, run.id, kind);
    if (step === undefined) return false;
    const r = await trx
      .updateTable('flow_runs')
      .set({ status: 'running', waiting_for: null, wake_at: now, updated_at: now })
      .where('id', '=', run.id)
      .where('status', '=', 'waiting')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await trx
      .updateTable('flow_steps')
      .set({ status: 'completed', result: JSON.stringify(result ?? null), ended_at: now })
      .where('run_id', '=', run.id)
      .where('name', '=', step.name)
      .where('status', '=', 'waiting')
      .execute();
    return true;
  }

  async #waitingStep(trx: Kysely<Database>, runId: number, kind: 'event' | 'approval'): Promise<StepRow | undefined> {
    const row = await trx
      .selectFrom('flow_steps')
      .selectAll()
      .where('run_id', '=', runId)
      .where('kind', '=', kind)
      .where('status', '=', 'waiting')
      .executeTakeFirst();
    return row === undefined ? undefined : toStepRow(row);
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

/** Whether every path of `match` has an equal value in `body`. */
export function matches(match: Record<string, unknown>, body: unknown): boolean {
  return Object.entries(match).every(([path, want]) => JSON.stringify(pathGetter(path)(body)) === JSON.stringify(want));
}
