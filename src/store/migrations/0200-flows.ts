/**
 * The durable workflow tables: one row per run (its flow, version, business key, status, lease,
 * and when it next needs a worker) and its step journal (one row per step: result, attempts,
 * timer, what it waits for). A run's journal is its audit trail and what a replay resumes from.
 */
import { sql, type Generated, type Kysely, type Migration } from 'kysely';
import { withSerialId } from './columns.ts';

/** Lifecycle of a run. `running`, `waiting` and `compensating` are active; the rest but `queued` are final. */
export type RunStatus =
  | 'queued'
  | 'running'
  | 'waiting'
  | 'compensating'
  | 'completed'
  | 'failed'
  | 'compensated'
  | 'compensation-failed'
  | 'cancelled';

/** What a journal row records. `compensation` rows undo a `run` step. */
export type StepKind = 'run' | 'sleep' | 'event' | 'approval' | 'compensation';

/** State of a journal row. */
export type StepStatus = 'completed' | 'retrying' | 'waiting' | 'failed';

/** `flow_runs`: one row per run of a flow. */
export interface FlowRunTable {
  id: Generated<number>;
  flow: string;
  version: number;
  /** Business key: one active run per flow and key. */
  key: string;
  status: RunStatus;
  /** JSON input given at start. */
  input: string;
  /** JSON value the flow returned, when completed. */
  output: string | null;
  error: string | null;
  /** Why compensation runs: the run failed, or an operator cancelled it. */
  stop_reason: 'failed' | 'cancelled' | null;
  /** For waiting runs: the event type (or `approval`) they wait for. */
  waiting_for: string | null;
  /** When a worker should take the run (again); null while it needs none (waiting on a person or event without timeout, or final). */
  wake_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
  /** W3C `traceparent` of the run's trace root (added by 0800-observability); null when tracing was off. */
  traceparent: string | null;
}

/** `flow_steps`: the journal, one row per step of a run. */
export interface FlowStepTable {
  run_id: number;
  name: string;
  /** Position of the step's first call in the run, for the timeline. */
  seq: number;
  kind: StepKind;
  status: StepStatus;
  attempts: number;
  /** JSON result (for waits: the event, the decision, or null on timeout). */
  result: string | null;
  error: string | null;
  /** Timers and wait timeouts: when the step is due. */
  due_at: number | null;
  /** JSON of what a wait waits for (event type and match, approval request). */
  wait: string | null;
  started_at: number;
  ended_at: number | null;
  /** Trace id of the execution that wrote the entry (added by 0800-observability). */
  trace_id: string | null;
}

/** The flow tables, merged into the store's `Database`. */
export interface FlowTables {
  flow_runs: FlowRunTable;
  flow_steps: FlowStepTable;
}

/** Creates the flow tables and the indexes claims and the one-active-run rule rely on. */
export const flowsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await withSerialId(db, db.schema.createTable('flow_runs'))
      .addColumn('flow', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('input', 'text', (c) => c.notNull())
      .addColumn('output', 'text')
      .addColumn('error', 'text')
      .addColumn('stop_reason', 'text')
      .addColumn('waiting_for', 'text')
      .addColumn('wake_at', 'bigint')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint')
      .execute();
    // The database, not a race-prone check, keeps one active run per flow and business key.
    await db.schema
      .createIndex('flow_runs_one_active')
      .on('flow_runs')
      .columns(['flow', 'key'])
      .unique()
      .where(sql.ref('status'), 'in', [sql.lit('running'), sql.lit('waiting'), sql.lit('compensating')])
      .execute();
    // Claims take runs that are due; only rows that need a worker are in this index.
    await db.schema
      .createIndex('flow_runs_due')
      .on('flow_runs')
      .column('wake_at')
      .where(sql.ref('wake_at'), 'is not', null)
      .execute();
    await db.schema.createIndex('flow_runs_status').on('flow_runs').columns(['status', 'id']).execute();
    await db.schema.createIndex('flow_runs_waiting').on('flow_runs').columns(['waiting_for', 'status']).execute();
    await db.schema.createIndex('flow_runs_flow_key').on('flow_runs').columns(['flow', 'key', 'id']).execute();

    await db.schema
      .createTable('flow_steps')
      .addColumn('run_id', 'bigint', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('result', 'text')
      .addColumn('error', 'text')
      .addColumn('due_at', 'bigint')
      .addColumn('wait', 'text')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint')
      .addPrimaryKeyConstraint('flow_steps_pk', ['run_id', 'name'])
      .execute();
  },
};
