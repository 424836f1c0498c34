/**
 * The lineage index rows a completed step adds: every record its result names (see `ids.ts`),
 * and, with the run's first step, the record the run is about (its business key), if the key is
 * a recognisable id. Written by the journal in the step's own transaction.
 */
import type { LineageRefTable } from '../../store/migrations/0800-observability.ts';
import { isReadStep, recogniseId, refsInResult } from './ids.ts';

/** Step name of the rows that index a run's business key. */
export const RUN_KEY_STEP = 'run:key';

/** The index rows of step `step` of run `runId`, whose result is `result`. */
export function refsOfStep(runId: number, step: string, result: unknown, runKey: string | undefined, now: number): LineageRefTable[] {
  const rows: LineageRefTable[] = [];
  const relation = isReadStep(step) ? 'read' : 'wrote';
  for (const r of refsInResult(step, result)) rows.push({ system: r.system, type: r.type, external_id: r.id, run_id: runId, step, relation, at: now });
  const key = runKey === undefined ? undefined : recogniseId(runKey);
  if (key !== undefined) rows.push({ system: key.system, type: key.type, external_id: key.id, run_id: runId, step: RUN_KEY_STEP, relation: 'read', at: now });
  return rows;
}
