/**
 * The `ctx` a flow's code runs with during one execution: the step primitives over the run's
 * journal. A step already completed returns its journaled result; the first step that is not
 * executes (or, for timers and waits, records what it waits for and suspends the run). Forward
 * steps register their compensations as the replay passes them, so the list is complete
 * whenever a failure or a cancellation asks for it.
 */
import type { Clock } from '../../core/clock.ts';
import { toInterlockError, validationError, type InterlockError } from '../../core/errors.ts';
import type {
  ApprovalDecision,
  FlowContext,
  FlowDefinition,
  RunStepOptions,
  StepApi,
  StepMessage,
  StepScope,
} from '../../flows/define-flow.ts';
import { refsOfStep } from '../../observability/lineage/refs.ts';
import { recordStep } from '../../observability/metrics.ts';
import { currentTraceId, failSpan, inSpan, withTraceparent } from '../../observability/tracing.ts';
import type { LineageRefTable } from '../../store/migrations/0800-observability.ts';
import type { StepKind } from '../../store/migrations/0200-flows.ts';
import { nextDelay } from '../backoff.ts';
import { idempotencyKey, type OutboundMessage } from '../outbox.ts';
import type { Journal, RunUpdate, WriteResult } from './journal.ts';
import type { RunRow, StepRow } from './run-rows.ts';
import { FlowSignal, LostLease, StepFailed, StopReplay, Suspended } from './signals.ts';
import { APPROVAL } from './waits.ts';

/** A compensation registered by a completed step. */
export interface Compensation {
  step: string;
  result: unknown;
  fn: NonNullable<RunStepOptions<unknown>['compensate']>;
}

/** The idempotency key of `step` of run `runId`. */
export function stepKey(runId: number, step: string): string {
  return idempotencyKey('run', runId, step);
}

/** The idempotency key of the `n`th message (from 0) step `step` of run `runId` sends; lineage finds a run's messages by it. */
export function stepMessageKey(runId: number, step: string, n: number): string {
  return idempotencyKey('run', runId, step, n);
}

/** One execution's context. */
export class ReplayContext implements FlowContext<unknown> {
  readonly runId: number;
  readonly flow: string;
  readonly version: number;
  readonly key: string;
  readonly input: unknown;
  readonly step: StepApi;
  readonly journal: Map<string, StepRow>;
  readonly compensations: Compensation[] = [];
  /** `compensate`: replay only to collect compensations; stop at the first step not done. */
  mode: 'forward' | 'compensate';
  /** The first signal of this execution, even if flow code swallowed it. */
  signal: FlowSignal | undefined;
  readonly #def: FlowDefinition;
  readonly #clock: Clock;
  readonly #journal: Journal;
  readonly #names = new Set<string>();
  readonly #stopping: () => boolean;
  #seq = 0;

  constructor(run: RunRow, journal: Map<string, StepRow>, def: FlowDefinition, clock: Clock, writer: Journal, stopping: () => boolean = () => false) {
    this.#stopping = stopping;
    this.runId = run.id;
    this.flow = run.flow;
    this.version = run.version;
    this.key = run.key;
    this.input = JSON.parse(run.input) as unknown;
    this.journal = journal;
    this.mode = run.status === 'compensating' ? 'compensate' : 'forward';
    this.#def = def;
    this.#clock = clock;
    this.#journal = writer;
    this.step = {
      run: (name, fn, options) => this.#run(name, fn, options as RunStepOptions<unknown> | undefined) as never,
      sleep: (name, ms) => this.#timer(name, () => this.#clock.now() + ms),
      sleepUntil: (name, time) => this.#timer(name, () => (typeof time === 'number' ? time : time.getTime())),
      waitForEvent: (name, o) =>
        this.#wait(name, 'event', o.type, { type: o.type, match: o.match ?? {} }, o.timeoutMs) as never,
      approval: (name, request) => this.#wait(name, 'approval', APPROVAL, request, undefined) as Promise<ApprovalDecision>,
    };
  }

  idempotencyKey(stepName: string): string {
    return stepKey(this.runId, stepName);
  }

  /** Builds the scope a step or compensation function receives; messages land in `out`. */
  scope(name: string, attempt: number, out: OutboundMessage[]): StepScope {
    const runId = this.runId;
    let key: string | undefined;
    return {
      // A hash: made only for steps that ask for it (most call no API that takes one).
      get idempotencyKey() {
        key ??= stepKey(runId, name);
        return key;
      },
      attempt,
      send: (m: StepMessage) => {
        // The message carries the step's trace to its destination (and is found by it in lineage).
        const headers = withTraceparent({ ...m.headers });
        out.push({ ...m, ...(Object.keys(headers).length === 0 ? {} : { headers }), idempotencyKey: stepMessageKey(this.runId, name, out.length), source: `flow:${this.flow}` });
      },
    };
  }

  /** A journal row for `name` with the fields given. */
  row(name: string, kind: StepKind, fields: Partial<StepRow>): StepRow {
    const prior = this.journal.get(name);
    const now = this.#clock.now();
    return {
      run_id: this.runId,
      name,
      seq: prior?.seq ?? this.#seq,
      kind,
      status: 'completed',
      attempts: prior?.attempts ?? 0,
      result: null,
      error: null,
      due_at: prior?.due_at ?? null,
      wait: prior?.wait ?? null,
      started_at: prior?.started_at ?? now,
      ended_at: now,
      trace_id: currentTraceId() ?? prior?.trace_id ?? null,
      ...fields,
    };
  }

  /** Writes `steps` (and a run change); throws {@link LostLease} when the run is no longer ours. */
  async write(steps: StepRow[], run?: RunUpdate, messages?: OutboundMessage[], refs?: LineageRefTable[]): Promise<WriteResult> {
    const result = await this.#journal.write({
      runId: this.runId,
      steps,
      ...(run === undefined ? {} : { run }),
      ...(messages === undefined || messages.length === 0 ? {} : { messages }),
      ...(refs === undefined || refs.length === 0 ? {} : { refs }),
    });
    if (!result.owned) this.raise(new LostLease());
    for (const s of steps) this.journal.set(s.name, s);
    return result;
  }

  /** Records `signal` (the first one wins) and throws it. */
  raise(signal: FlowSignal): never {
    this.signal ??= signal;
    throw signal;
  }

  #enter(name: string, kind: StepKind): StepRow | undefined {
    if (this.signal !== undefined) throw this.signal;
    if (typeof name !== 'string' || name.length === 0 || name.length > 200 || name.startsWith('compensate:')) {
      this.raise(new StepFailed(String(name), validationError(`step name "${String(name)}" must be 1–200 characters and not start with "compensate:"`), 1));
    }
    if (this.#names.has(name)) {
      this.raise(new StepFailed(name, validationError(`step name "${name}" is used twice in one run; step names must be unique`), 1));
    }
    this.#names.add(name);
    this.#seq += 1;
    const row = this.journal.get(name);
    if (row !== undefined && row.kind !== kind) {
      this.raise(new StepFailed(name, validationError(`step "${name}" was a ${row.kind} step when journaled, now a ${kind} step`), 1));
    }
    if (row?.status !== 'completed' && this.mode === 'compensate') this.raise(new StopReplay());
    return row;
  }

  async #run(name: string, fn: (scope: StepScope) => unknown, options: RunStepOptions<unknown> | undefined): Promise<unknown> {
    const row = this.#enter(name, 'run');
    if (row?.status === 'completed') {
      const result = JSON.parse(row.result ?? 'null') as unknown;
      if (options?.compensate !== undefined) this.compensations.push({ step: name, result, fn: options.compensate });
      return result;
    }
    await this.#yieldIfStopping();
    const attempt = (row?.attempts ?? 0) + 1;
    // A step's time runs from its first attempt's start, not from when its journal entry is written.
    const startedAt = row?.started_at ?? this.#clock.now();
    const messages: OutboundMessage[] = [];
    let value: unknown;
    let failure: InterlockError | undefined;
    const attributes = { 'interlock.run_id': this.runId, 'interlock.flow': this.flow, 'interlock.step': name, 'interlock.attempt': attempt };
    await inSpan(`step ${name}`, { attributes }, async (span) => {
      try {
        value = await fn(this.scope(name, attempt, messages));
      } catch (thrown) {
        if (thrown instanceof FlowSignal) throw thrown;
        failure = toInterlockError(thrown);
        failSpan(span, `${failure.code}: ${failure.message}`);
      }
    });
    recordStep(this.flow, failure === undefined ? 'completed' : 'failed');
    if (failure !== undefined) await this.#failed(name, 'run', attempt, failure, startedAt);
    const json = JSON.stringify(value ?? null);
    // The first step written also indexes the run's business key (the record the run is about).
    const refs = refsOfStep(this.runId, name, value, this.journal.size === 0 ? this.key : undefined, this.#clock.now());
    const written = await this.write([this.row(name, 'run', { status: 'completed', attempts: attempt, result: json, started_at: startedAt })], undefined, messages, refs);
    const result = JSON.parse(json) as unknown;
    if (options?.compensate !== undefined) this.compensations.push({ step: name, result, fn: options.compensate });
    // An operator cancelled the run while this step ran: its effect is journaled (and will be
    // compensated); nothing further runs forward.
    if (written.status === 'compensating') {
      this.mode = 'compensate';
      this.raise(new StopReplay());
    }
    return result;
  }

  /** The worker is stopping: give the run back before its next step, for another worker (or the next start). */
  async #yieldIfStopping(): Promise<void> {
    if (!this.#stopping()) return;
    await this.write([], { wake_at: this.#clock.now(), release: true });
    this.raise(new Suspended());
  }

  /** A failed attempt: retried after a backoff while the policy allows, else final. */
  async #failed(name: string, kind: 'run', attempt: number, error: InterlockError, startedAt: number): Promise<never> {
    const policy = this.#def.retry;
    if (error.retryable && attempt < policy.maxAttempts) {
      const delay = nextDelay(policy, attempt, error.retryAfterMs);
      await this.write([this.row(name, kind, { status: 'retrying', attempts: attempt, error: `${error.code}: ${error.message}`, ended_at: null, started_at: startedAt })], {
        wake_at: this.#clock.now() + delay,
        release: true,
        forward: true,
      });
      this.raise(new Suspended());
    }
    this.raise(new StepFailed(name, error, attempt));
  }

  async #timer(name: string, due: () => number): Promise<void> {
    const row = this.#enter(name, 'sleep');
    if (row?.status === 'completed') return;
    await this.#yieldIfStopping();
    const dueAt = row?.due_at ?? due();
    if (!Number.isFinite(dueAt)) this.raise(new StepFailed(name, validationError(`timer "${name}" needs a finite duration or time`), 1));
    if (this.#clock.now() >= dueAt) {
      await this.write([this.row(name, 'sleep', { status: 'completed', due_at: dueAt })]);
      return;
    }
    await this.write(row === undefined ? [this.row(name, 'sleep', { status: 'waiting', due_at: dueAt, ended_at: null })] : [], {
      status: 'waiting',
      wake_at: dueAt,
      release: true,
      forward: true,
    });
    this.raise(new Suspended());
  }

  async #wait(name: string, kind: 'event' | 'approval', waitingFor: string, what: unknown, timeoutMs: number | undefined): Promise<unknown> {
    const row = this.#enter(name, kind);
    if (row?.status === 'completed') return JSON.parse(row.result ?? 'null') as unknown;
    await this.#yieldIfStopping();
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
      this.raise(new StepFailed(name, validationError(`wait "${name}" needs a timeout of zero or more milliseconds`), 1));
    }
    const dueAt = row === undefined ? (timeoutMs === undefined ? null : this.#clock.now() + timeoutMs) : row.due_at;
    if (dueAt !== null && this.#clock.now() >= dueAt && row !== undefined) {
      await this.write([this.row(name, kind, { status: 'completed', result: 'null', error: 'timed out' })]);
      return null;
    }
    const fresh = row === undefined ? [this.row(name, kind, { status: 'waiting', due_at: dueAt, wait: JSON.stringify(what ?? null), ended_at: null })] : [];
    await this.write(fresh, { status: 'waiting', waiting_for: waitingFor, wake_at: dueAt, release: true, forward: true });
    this.raise(new Suspended());
  }
}
