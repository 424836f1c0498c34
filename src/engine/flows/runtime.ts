/**
 * The durable workflow runtime of one process: the flow registry, starting runs (from code, the
 * API, the CLI, or inbound events), the run worker, and the operations on runs.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import { InterlockError, validationError } from '../../core/errors.ts';
import type { FlowDefinition } from '../../flows/define-flow.ts';
import type { Logger } from '../../core/logger.ts';
import type { Database } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';
import { GroupCommit } from '../group-commit.ts';
import { pathGetter } from '../router.ts';
import { inContext, traceparentForRun } from '../../observability/tracing.ts';
import { RunOperations } from './operations.ts';
import { FlowRegistry } from './registry.ts';
import { startRuns, type StartRequest, type StartResult } from './runs.ts';
import { APPROVAL, deliverEvents } from './waits.ts';
import { FlowWorker } from './worker.ts';

/** Options of a {@link FlowRuntime}. */
export interface FlowRuntimeOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** The flows this process knows; a fresh, empty registry by default. */
  registry?: FlowRegistry;
  /** Identifies this process's worker in leases. */
  worker: string;
  /** How long a claimed run is held before another worker may take it over. */
  leaseMs: number;
  pollMs: number;
  /** Runs executing at once in this process. @default 256 */
  concurrency?: number;
}

/** An inbound event as the runtime sees it: its source, its body (type in the body's `type`). */
export interface InboundEvent {
  source: string;
  body: unknown;
  /** The event's trace (from its stored headers), which runs it starts join. */
  traceparent?: string | undefined;
}

/** Flows for one process. */
export class FlowRuntime {
  readonly registry: FlowRegistry;
  readonly worker: FlowWorker;
  readonly runs: RunOperations;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #starts: GroupCommit<PendingStart, StartResult | InterlockError>;
  /** Transactions that started runs, for the benchmark's writes-per-step figure. */
  startCommits = 0;

  constructor(options: FlowRuntimeOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#starts = new GroupCommit((batch) => this.#writeStarts(batch), 256);
    this.registry = options.registry ?? new FlowRegistry();
    this.runs = new RunOperations(options.store, options.clock);
    this.worker = new FlowWorker({
      store: options.store,
      clock: options.clock,
      log: options.log,
      registry: this.registry,
      worker: options.worker,
      leaseMs: options.leaseMs,
      pollMs: options.pollMs,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    });
  }

  /** Starts a run of the newest version of `flow` for business key `key`. */
  async start(flow: string, options: { key: string; input?: unknown }): Promise<StartResult> {
    const def = this.registry.latest(flow);
    checkKey(options.key);
    // Concurrent starts share a commit; each still gets its own outcome (or refusal).
    const result = await this.#starts.submit({ def, key: options.key, input: options.input });
    if (result instanceof InterlockError) throw result;
    return result;
  }

  async #writeStarts(batch: readonly PendingStart[]): Promise<Array<StartResult | InterlockError>> {
    const now = this.#clock.now();
    this.startCommits += 1;
    const results = await this.#store.transaction((trx) =>
      startRuns(trx, batch.map((b) => ({ flow: b.def, key: b.key, input: b.input })), now),
    );
    if (results.some((r) => !(r instanceof InterlockError) && r.outcome === 'started')) this.#store.notify('runs');
    return results;
  }

  /**
   * Applies an inbound event within `trx` (the transaction that marks it processed): starts the
   * flows it triggers and resumes the runs waiting for it. Resolves to whether a run was started
   * or resumed, so the caller can wake the workers after commit; throws what refuses the event.
   */
  async onInboundEvent(trx: Kysely<Database>, event: InboundEvent): Promise<boolean> {
    const [outcome] = await this.onInboundEvents(trx, [event]);
    if (outcome instanceof Error) throw outcome;
    return outcome === true;
  }

  /**
   * {@link onInboundEvent} for a batch, in order, in a few statements whatever its size: the
   * batch's starts in one multi-row insert and one lookup of the runs waiting for its types.
   * Resolves, per event, to whether it started or resumed a run, or to the error that refuses
   * it (a trigger's business key missing), in which case it starts nothing.
   */
  async onInboundEvents(trx: Kysely<Database>, events: readonly InboundEvent[]): Promise<Array<boolean | InterlockError>> {
    const outcomes: Array<boolean | InterlockError> = events.map(() => false);
    // Without flows nothing can be started or waiting here: no query on the event path.
    if (this.registry.all().length === 0) return outcomes;
    const starts: StartRequest[] = [];
    const startedBy: number[] = [];
    const deliveries: Array<{ type: string; body: unknown }> = [];
    const deliveredBy: number[] = [];
    events.forEach((event, i) => {
      const type = typeof event.body === 'object' && event.body !== null ? (event.body as { type?: unknown }).type : undefined;
      if (typeof type !== 'string' || type === '') return;
      if (type === APPROVAL) {
        outcomes[i] = validationError('an event needs a type');
        return;
      }
      const mine: StartRequest[] = [];
      for (const { flow, trigger } of this.registry.triggeredBy(event.source, type)) {
        const key = pathGetter(trigger.key)(event.body);
        if (key === undefined || key === null || String(key) === '') {
          outcomes[i] = validationError(`event of type "${type}" has no business key at "${trigger.key}" for flow "${flow.name}"`);
          return;
        }
        // The run joins the event's trace (the processor's batch has no one active context).
        const traceparent = event.traceparent === undefined ? undefined : inContext(event.traceparent, () => traceparentForRun(flow.name, String(key)) ?? null);
        mine.push({ flow, key: String(key), input: event.body, ...(traceparent === undefined ? {} : { traceparent }) });
      }
      for (const r of mine) {
        starts.push(r);
        startedBy.push(i);
      }
      deliveries.push({ type, body: event.body });
      deliveredBy.push(i);
    });
    const now = this.#clock.now();
    if (starts.length > 0) {
      const results = await startRuns(trx, starts, now);
      // A refusal (a second trigger for a key with an active run, under the 'reject' policy) is
      // the policy, not a failure: the event is still applied to runs waiting for it.
      results.forEach((r, j) => {
        if (!(r instanceof InterlockError) && r.outcome === 'started') outcomes[startedBy[j]!] = true;
      });
    }
    if (deliveries.length > 0) {
      const resumed = await deliverEvents(trx, now, deliveries);
      resumed.forEach((ids, j) => {
        if (ids.length > 0) outcomes[deliveredBy[j]!] = true;
      });
    }
    return outcomes;
  }

  /** Wakes the workers (after an {@link onInboundEvent} commit). */
  wake(): void {
    this.#store.notify('runs');
  }
}

interface PendingStart {
  def: FlowDefinition;
  key: string;
  input: unknown;
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 500) throw validationError('a run needs a business key of 1–500 characters');
}
