/**
 * Resuming runs that wait: an inbound event for the runs waiting for its type (and matching its
 * fields), a decision for a run waiting on an approval. The waiting step is completed with the
 * event or decision and the run made due, in one transaction conditional on the run still
 * waiting, so a run is resumed once and never while a worker holds it.
 */
import { sql, type Kysely } from 'kysely';
import { validationError } from '../../core/errors.ts';
import type { Database } from '../../store/schema.ts';
import { pathGetter } from '../router.ts';
import { toRunRow, toStepRow, type RunRow, type StepRow } from './run-rows.ts';

/** The waiting marker of approvals (event waits use the event type). */
export const APPROVAL = '@approval';

/** Delivers event `body` of `type` to the runs waiting for it (only run `runId` if given); resolves to their ids. */
export async function deliverEvent(trx: Kysely<Database>, now: number, type: string, body: unknown, runId?: number): Promise<number[]> {
  if (typeof type !== 'string' || type === '' || type === APPROVAL) throw validationError('an event needs a type');
  // Asked for every inbound event, most of which no run waits for: a template, not the builder.
  const { rows } = await sql<RunRow>`SELECT * FROM flow_runs WHERE waiting_for = ${type} AND status = 'waiting'${
    runId === undefined ? sql`` : sql` AND id = ${runId}`
  } ORDER BY id LIMIT 1000`.execute(trx);
  return resumeMatching(trx, rows.map(toRunRow), body, now);
}

/**
 * Resumes those of `waiting` (runs waiting for the event's type) whose wait matches `body`;
 * resolves to their ids. A run resumed already (by an earlier event) has no waiting step left.
 */
async function resumeMatching(trx: Kysely<Database>, waiting: readonly RunRow[], body: unknown, now: number): Promise<number[]> {
  const resumed: number[] = [];
  for (const run of waiting) {
    const step = await waitingStep(trx, run.id, 'event');
    const want = step === undefined || step.wait === null ? undefined : (JSON.parse(step.wait) as { match?: Record<string, unknown> });
    if (want === undefined || !matches(want.match ?? {}, body)) continue;
    if (await resumeWait(trx, run, 'event', body, now)) resumed.push(run.id);
  }
  return resumed;
}

/**
 * {@link deliverEvent} for a batch of events, in their order, with one lookup of the runs waiting
 * for any of their types (the inbox processor's batch: most events have no waiting run, and a
 * lookup per event was a round trip each on PostgreSQL). Resolves, per event, to the runs it resumed.
 */
export async function deliverEvents(trx: Kysely<Database>, now: number, events: ReadonlyArray<{ type: string; body: unknown }>): Promise<number[][]> {
  const types = [...new Set(events.map((e) => e.type))];
  if (types.some((t) => typeof t !== 'string' || t === '' || t === APPROVAL)) throw validationError('an event needs a type');
  if (types.length === 0) return [];
  const { rows } = await sql<RunRow>`SELECT * FROM flow_runs WHERE waiting_for IN (${sql.join(types)}) AND status = 'waiting' ORDER BY id LIMIT ${1000 * types.length}`.execute(trx);
  if (rows.length === 0) return events.map(() => []);
  const waiting = rows.map(toRunRow);
  const resumed: number[][] = [];
  for (const { type, body } of events) resumed.push(await resumeMatching(trx, waiting.filter((run) => run.waiting_for === type), body, now));
  return resumed;
}

/** Completes the waiting `kind` step of `run` with `result` and makes the run due; false if it no longer waits. */
export async function resumeWait(trx: Kysely<Database>, run: RunRow, kind: 'event' | 'approval', result: unknown, now: number): Promise<boolean> {
  const step = await waitingStep(trx, run.id, kind);
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

async function waitingStep(trx: Kysely<Database>, runId: number, kind: 'event' | 'approval'): Promise<StepRow | undefined> {
  const row = await trx
    .selectFrom('flow_steps')
    .selectAll()
    .where('run_id', '=', runId)
    .where('kind', '=', kind)
    .where('status', '=', 'waiting')
    .executeTakeFirst();
  return row === undefined ? undefined : toStepRow(row);
}

/** Whether every path of `match` has an equal value in `body`. */
export function matches(match: Record<string, unknown>, body: unknown): boolean {
  return Object.entries(match).every(([path, want]) => JSON.stringify(pathGetter(path)(body)) === JSON.stringify(want));
}
