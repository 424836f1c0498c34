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
import { mergeJoin } from './merge-join.ts';
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
  /** Records read so far (phase `read`: of that system; `compare`: keys compared). */
  done: number;
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
    const inputs = [];
    for (const side of job.sides) {
      read[side.system] = 0;
      if (side.sorted === true) {
        inputs.push({ name: side.system, records: side.read() });
        continue;
      }
      let n = 0;
      await spill(deps.store, runId, side.system, side.read(), () => {
        n++;
        if (n % 1000 === 0) deps.onProgress?.({ phase: 'read', system: side.system, done: n });
      });
      deps.onProgress?.({ phase: 'read', system: side.system, done: n });
      inputs.push({ name: side.system, records: readSpilled(deps.store, runId, side.system) });
    }
    const rules = { systems: job.sides.map((s) => s.system), fields: job.fields };
    let batch: Discrepancy[] = [];
    let keys = 0;
    for await (const group of mergeJoin(inputs)) {
      group.bySide.forEach((records, i) => {
        const system = rules.systems[i] ?? '';
        read[system] = (read[system] ?? 0) + records.length;
      });
      for (const d of compareGroup(group, rules)) {
        kinds[d.kind] = (kinds[d.kind] ?? 0) + 1;
        batch.push(d);
      }
      if (batch.length >= BATCH) {
        await runs.add(runId, batch);
        batch = [];
      }
      if (++keys % 5000 === 0) deps.onProgress?.({ phase: 'compare', done: keys });
    }
    await runs.add(runId, batch);
    deps.onProgress?.({ phase: 'compare', done: keys });
    await runs.finish(runId, { read, kinds });
  } catch (err) {
    await runs.finish(runId, { read, kinds, error: toInterlockError(err).message });
    throw err;
  } finally {
    await dropSpill(deps.store, runId);
  }
  return runs.get(runId);
}
