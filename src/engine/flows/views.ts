/**
 * How runs and their steps look to operators (admin API, CLI): ISO times, parsed payloads.
 */
import type { RunStatus, StepKind, StepStatus } from '../../store/migrations/0200-flows.ts';
import type { RunRow, StepRow } from './run-rows.ts';

/** A run in a list. */
export interface RunSummary {
  id: number;
  flow: string;
  version: number;
  key: string;
  status: RunStatus;
  waitingFor: string | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
  /** When a worker takes the run next (a timer, a backoff, a lease's end). */
  wakeAt: string | null;
}

/** One entry of a run's step timeline. */
export interface TimelineEntry {
  name: string;
  kind: StepKind;
  status: StepStatus;
  attempts: number;
  result: unknown;
  error: string | null;
  dueAt: string | null;
  waitingFor: unknown;
  startedAt: string;
  endedAt: string | null;
}

/** A run with its payloads and timeline. */
export interface RunDetail extends RunSummary {
  input: unknown;
  output: unknown;
  steps: TimelineEntry[];
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** The summary of `r`. */
export function summary(r: RunRow): RunSummary {
  return {
    id: r.id,
    flow: r.flow,
    version: r.version,
    key: r.key,
    status: r.status,
    waitingFor: r.waiting_for,
    error: r.error,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    endedAt: iso(r.ended_at),
    wakeAt: iso(r.wake_at),
  };
}

/** The timeline entry of journal row `s`. */
export function timelineEntry(s: StepRow): TimelineEntry {
  return {
    name: s.name,
    kind: s.kind,
    status: s.status,
    attempts: s.attempts,
    result: s.result === null ? null : (JSON.parse(s.result) as unknown),
    error: s.error,
    dueAt: iso(s.due_at),
    waitingFor: s.wait === null ? null : (JSON.parse(s.wait) as unknown),
    startedAt: iso(s.started_at)!,
    endedAt: iso(s.ended_at),
  };
}
