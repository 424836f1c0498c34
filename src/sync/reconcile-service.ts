/**
 * Reconciliation as callers use it (CLI, admin API, schedules): run a shipped job over the
 * connected systems, optionally heal what it found, and approve or reject heals that wait for a
 * person. The run history in the store is the only state, so any process can approve a heal
 * another one queued.
 */
import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/store.ts';
import { findJob } from './jobs/index.ts';
import type { JobOptions } from './jobs/job.ts';
import type { StoredDiscrepancy } from './reconcile/discrepancy.ts';
import { Healer, type HealSummary } from './reconcile/heal.ts';
import { runReconciliation, type Progress } from './reconcile/reconciler.ts';
import { ReconcileRuns, type ReconcileRun } from './reconcile/run-history.ts';
import type { Systems } from './systems/systems.ts';

/** Options of one reconciliation. */
export interface ReconcileRequest extends JobOptions {
  /** Who asks: `cli:<user>`, `key:<id>`, `schedule:<name>`. */
  actor: string;
  /** Heal after comparing. @default false */
  heal?: boolean;
  /** Classes healed without approval (`kind` or `kind@system`). @default the job's own */
  safe?: readonly string[];
  onProgress?: (p: Progress) => void;
}

/** The outcome: the run, and what healing did when asked. */
export interface ReconcileOutcome {
  run: ReconcileRun;
  heal?: HealSummary;
}

/** Runs, heals and approves reconciliations. */
export class ReconcileService {
  readonly runs: ReconcileRuns;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #systems: () => Systems;
  readonly #healer: Healer;

  /** @param systems builds the connected systems when first needed (reading history needs none) */
  constructor(deps: { store: Store; clock: Clock; systems: () => Systems }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    let systems: Systems | undefined;
    this.#systems = () => (systems ??= deps.systems());
    this.runs = new ReconcileRuns(deps.store, deps.clock);
    this.#healer = new Healer(deps.store, deps.clock);
  }

  /** Runs job `name` once (and heals, when asked). */
  async reconcile(name: string, request: ReconcileRequest): Promise<ReconcileOutcome> {
    const definition = findJob(name);
    const { job, plan } = definition.build(this.#systems(), request);
    const run = await runReconciliation(job, {
      store: this.#store,
      clock: this.#clock,
      startedBy: request.actor,
      ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }),
    });
    if (request.heal !== true) return { run };
    const heal = await this.#healer.healRun(run.id, name, plan, { safe: request.safe ?? definition.safe }, request.actor);
    return { run, heal };
  }

  /** Approves the heal of discrepancy `id` and runs it. */
  async approve(id: number, actor: string): Promise<StoredDiscrepancy> {
    const job = await this.#jobOf(id);
    return this.#healer.approve(id, job, findJob(job).build(this.#systems(), {}).plan, actor);
  }

  /** Rejects the heal of discrepancy `id`. */
  async reject(id: number, actor: string, reason: string): Promise<StoredDiscrepancy> {
    return this.#healer.reject(id, await this.#jobOf(id), actor, reason);
  }

  async #jobOf(discrepancyId: number): Promise<string> {
    const d = await this.runs.discrepancy(discrepancyId);
    return (await this.runs.get(d.runId)).job;
  }
}
