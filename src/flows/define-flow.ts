/**
 * Flows as TypeScript: `defineFlow({ name, version, trigger, run })`. `run` is replayed from the
 * start each time a worker takes the run; the step primitives on `ctx.step` return journaled
 * results for steps already done and execute (or wait on) the first one that is not. So a flow
 * must reach its steps deterministically: same names, same order, for the same journal.
 */
import { validationError } from '../core/errors.ts';
import type { OutboundMessage } from '../engine/outbox.ts';

/** What a second trigger for a flow and business key with an active run does. */
export type ConcurrencyPolicy = 'attach' | 'queue' | 'reject';

/** Retry policy of a flow's steps and compensations. */
export interface StepRetryPolicy {
  /** Attempts of one step before its failure is final. @default 5 */
  maxAttempts: number;
  /** Upper bound of the first retry's delay; doubles each attempt. @default 1000 */
  initialDelayMs: number;
  /** Largest delay between two attempts. @default 60000 */
  maxDelayMs: number;
}

/** An inbound event that starts runs: its source, its type, and where its business key is. */
export interface EventTrigger {
  source: string;
  type: string;
  /** Dotted path of the business key in the event body, e.g. `data.object.id`. */
  key: string;
}

/** A message to put in the outbox with a step's journal write. */
export type StepMessage = Omit<OutboundMessage, 'idempotencyKey' | 'source' | 'inboxId'>;

/** What a step function receives. */
export interface StepScope {
  /** Deterministic idempotency key of this step (run id + step name): pass it to vendors. */
  readonly idempotencyKey: string;
  /** This attempt's number, 1 for the first. */
  readonly attempt: number;
  /** Queues `message` in the outbox in the same transaction as this step's journal write. */
  send(message: StepMessage): void;
}

/** Options of `step.run`. */
export interface RunStepOptions<T> {
  /** Undoes the step's effect when the run fails permanently or is cancelled; gets the step's result. */
  compensate?: (result: T, scope: StepScope) => Promise<unknown> | unknown;
}

/** A human decision on an approval step. */
export interface ApprovalDecision {
  approved: boolean;
  by: string;
  /** ISO time of the decision. */
  at: string;
  reason: string | null;
}

/** The step primitives. Every name must be unique within a run. */
export interface StepApi {
  /** Runs `fn` once; its (JSON) result is journaled and returned on every later replay. */
  run<T>(name: string, fn: (scope: StepScope) => Promise<T> | T, options?: RunStepOptions<T>): Promise<T>;
  /** A durable timer of `ms` milliseconds. */
  sleep(name: string, ms: number): Promise<void>;
  /** A durable timer until `time` (epoch ms or a Date). */
  sleepUntil(name: string, time: number | Date): Promise<void>;
  /**
   * Waits for an inbound event of `type` whose body has every `match` path equal to its value;
   * resolves to the event body, or null when `timeoutMs` passes first.
   */
  waitForEvent<T = unknown>(name: string, options: { type: string; match?: Record<string, unknown>; timeoutMs?: number }): Promise<T | null>;
  /** Waits for a person to approve or reject `request`. */
  approval(name: string, request: Record<string, unknown>): Promise<ApprovalDecision>;
}

/** What `run` receives. */
export interface FlowContext<I> {
  readonly runId: number;
  readonly flow: string;
  readonly version: number;
  readonly key: string;
  readonly input: I;
  readonly step: StepApi;
  /** Deterministic idempotency key for `stepName` of this run. */
  idempotencyKey(stepName: string): string;
}

/** A flow, as given to `defineFlow`. */
export interface FlowSpec<I, O> {
  name: string;
  /** A positive whole number; a run continues on the version it started with. */
  version: number;
  /** Inbound events that start runs; runs can always be started by API, CLI and code too. */
  trigger?: EventTrigger | readonly EventTrigger[];
  /** @default 'reject' */
  concurrency?: ConcurrencyPolicy;
  retry?: Partial<StepRetryPolicy>;
  run: (ctx: FlowContext<I>) => Promise<O>;
}

/** A validated flow definition. */
export interface FlowDefinition<I = unknown, O = unknown> {
  readonly name: string;
  readonly version: number;
  readonly triggers: readonly EventTrigger[];
  readonly concurrency: ConcurrencyPolicy;
  readonly retry: StepRetryPolicy;
  readonly run: (ctx: FlowContext<I>) => Promise<O>;
}

/** Validates `spec` and fills its defaults. */
export function defineFlow<I = unknown, O = unknown>(spec: FlowSpec<I, O>): FlowDefinition<I, O> {
  if (typeof spec.name !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,99}$/i.test(spec.name)) {
    throw validationError(`flow name "${String(spec.name)}" must be 1–100 letters, digits, ".", "_" or "-"`);
  }
  if (!Number.isInteger(spec.version) || spec.version < 1) {
    throw validationError(`flow "${spec.name}": version must be a positive whole number, got ${String(spec.version)}`);
  }
  const concurrency = spec.concurrency ?? 'reject';
  if (!['attach', 'queue', 'reject'].includes(concurrency)) {
    throw validationError(`flow "${spec.name}": concurrency must be attach, queue or reject, got "${String(concurrency)}"`);
  }
  if (typeof spec.run !== 'function') throw validationError(`flow "${spec.name}": run must be a function`);
  const retry: StepRetryPolicy = { maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 60_000, ...spec.retry };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw validationError(`flow "${spec.name}": retry.maxAttempts must be a positive whole number`);
  }
  const triggers = spec.trigger === undefined ? [] : Array.isArray(spec.trigger) ? [...spec.trigger] : [spec.trigger as EventTrigger];
  return Object.freeze({ name: spec.name, version: spec.version, triggers, concurrency, retry, run: spec.run });
}
