/**
 * Runs one reconciliation: unsorted sides are spilled to the store and re-read in key order,
 * every side is merge-joined by business key, each key group is compared, and discrepancies are
 * written to the run history in batches. Memory stays bounded by one batch and one key group,
 * however many records each side has.
 */
import type { Clock } from '../../core/clock.ts';
import { toInterlockError } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import { compareGroup, type FieldRule } from './compare.ts';
import type { Discrepancy, DiscrepancyKind } from './discrepancy.ts';
import { batched, mergeJoin, type JoinInput } from './merge-join.ts';
import type { Side } from './projection.ts';
import { ReconcileRuns, type ReconcileRun } from './run-history.ts';
import { dropSpill, readSpilled, spill } from './spill.ts';

/** A reconciliation job: two or three sides, the source of truth first, and what to compare. */
export interface ReconcileJob {
  name: string;
  description: string;
  sides: readonly Side[];
  fields: readonly FieldRule[];
}

/** Where a run is, for a progress bar. */
export interface Progress {
  phase: 'read' | 'compare';
  /** The system being read (phase `read`). */
  system?: string;
  /** Records so far (phase `read`: read from that system; `compare`: joined, all sides). */
  done: number;
  /** Records to join in all (phase `compare`, when every side was spilled and so counted). */
  total?: number;
}

/** What a run needs. */
export interface RunDeps {
  store: Store;
  clock: Clock;
  /** Who started it: `cli:<user>`, `key:<id>`, `schedule`. */
  startedBy: string;
  onProgress?: (p: Progress) => void;
}

const BATCH = 500;

/** Runs `job` once; answers the finished run (failed runs are recorded too, then rethrown). */
export async function runReconciliation(job: ReconcileJob, deps: RunDeps): Promise<ReconcileRun> {
  const runs = new ReconcileRuns(deps.store, deps.clock);
  const runId = await runs.start(job.name, deps.startedBy);
  const read: Record<string, number> = {};
  const kinds: Partial<Record<DiscrepancyKind, number>> = {};
  try {
    const inputs: JoinInput[] = [];
    const spilled: Record<string, number> = {};
    for (const side of job.sides) {
      read[side.system] = 0;
      const batches = side.readBatches?.() ?? batched(side.read());
      if (side.sorted === true) {
        inputs.push({ name: side.system, batches });
        continue;
      }
      const n = await spill(deps.store, runId, side.system, batches, (done) => deps.onProgress?.({ phase: 'read', system: side.system, done }));
      spilled[side.system] = n;
      deps.onProgress?.({ phase: 'read', system: side.system, done: n });
      inputs.push({ name: side.system, batches: readSpilled(deps.store, runId, side.system) });
    }
    const rules = { systems: job.sides.map((s) => s.system), fields: job.fields };
    const systems = rules.systems;
    let batch: Discrepancy[] = [];
    let joined = 0;
    const total = job.sides.every((s) => s.sorted !== true) ? Object.values(spilled).reduce((a, b) => a + b, 0) : undefined;
    const progress = (done: number) => deps.onProgress?.({ phase: 'compare', done, ...(total === undefined ? {} : { total }) });
    for await (const groups of mergeJoin(inputs)) {
      for (const group of groups) {
        for (let i = 0; i < group.bySide.length; i++) {
          const system = systems[i] ?? '';
          const n = group.bySide[i]?.length ?? 0;
          read[system] = (read[system] ?? 0) + n;
          joined += n;
        }
        for (const d of compareGroup(group, rules)) {
          kinds[d.kind] = (kinds[d.kind] ?? 0) + 1;
          batch.push(d);
        }
      }
      if (batch.length >= BATCH) {
        await runs.add(runId, batch);
        batch = [];
      }
      progress(joined);
    }
    await runs.add(runId, batch);
    progress(joined);
    await runs.finish(runId, { read, kinds });
  } catch (err) {
    await runs.finish(runId, { read, kinds, error: toInterlockError(err).message });
    throw err;
  } finally {
    await dropSpill(deps.store, runId);
  }
  return runs.get(runId);
}
