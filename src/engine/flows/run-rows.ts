/**
 * Row shapes of runs and journal entries as the runtime handles them, and the status sets the
 * rules are written in.
 */
import type { Selectable } from 'kysely';
import type { FlowRunTable, FlowStepTable, RunStatus } from '../../store/migrations/0200-flows.ts';

/** Statuses of a run that holds its flow and business key (at most one run per key at once). */
export const ACTIVE_STATUSES: readonly RunStatus[] = ['running', 'waiting', 'compensating'];

/** Statuses after which nothing more happens to a run. */
export const FINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'compensated', 'compensation-failed', 'cancelled'];

/** A run row as read from the store. */
export type RunRow = Selectable<FlowRunTable>;

/** A journal row as read from (or written to) the store. */
export type StepRow = Selectable<FlowStepTable>;

/** A run a worker has claimed: the row and its journal, by step name. */
export interface ClaimedRun {
  run: RunRow;
  journal: Map<string, StepRow>;
}

/** Normalises numeric columns (PostgreSQL returns BIGINT as strings). */
export function toRunRow(r: RunRow): RunRow {
  return {
    ...r,
    id: Number(r.id),
    version: Number(r.version),
    wake_at: r.wake_at === null ? null : Number(r.wake_at),
    lease_until: r.lease_until === null ? null : Number(r.lease_until),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
    ended_at: r.ended_at === null ? null : Number(r.ended_at),
  };
}

/** Normalises numeric columns of a journal row. */
export function toStepRow(r: StepRow): StepRow {
  return {
    ...r,
    run_id: Number(r.run_id),
    seq: Number(r.seq),
    attempts: Number(r.attempts),
    due_at: r.due_at === null ? null : Number(r.due_at),
    started_at: Number(r.started_at),
    ended_at: r.ended_at === null ? null : Number(r.ended_at),
  };
}
