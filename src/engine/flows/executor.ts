/**
 * Executes one claimed run: replays its flow code over the journal until the code returns (the
 * run completes), a step suspends it (timer, wait, retry backoff), or a step fails for good or
 * an operator cancels (compensation). Each outcome is one journal write.
 */
import type { Clock } from '../../core/clock.ts';
import { toInterlockError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { contextOf, inSpan } from '../../observability/tracing.ts';
import { compensate } from './compensation.ts';
import type { Journal } from './journal.ts';
import type { FlowRegistry } from './registry.ts';
import { ReplayContext } from './replay-context.ts';
import type { ClaimedRun } from './run-rows.ts';
import { FlowSignal, LostLease, StepFailed, StopReplay, Suspended } from './signals.ts';

/** How long a run of an unregistered flow version waits before it is looked at again. */
export const MISSING_VERSION_RETRY_MS = 60_000;

/** Executes claimed runs. */
export class Executor {
  readonly #registry: FlowRegistry;
  readonly #journal: Journal;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #stopping: () => boolean;

  constructor(options: { registry: FlowRegistry; journal: Journal; clock: Clock; log: Logger; stopping?: () => boolean }) {
    this.#stopping = options.stopping ?? (() => false);
    this.#registry = options.registry;
    this.#journal = options.journal;
    this.#clock = options.clock;
    this.#log = options.log;
  }

  /** Executes `claimed` until it completes, suspends or ends compensated (one span, in the run's trace). */
  execute(claimed: ClaimedRun): Promise<void> {
    const { run } = claimed;
    const attributes = { 'interlock.run_id': run.id, 'interlock.flow': run.flow, 'interlock.key': run.key };
    return inSpan(`run ${run.flow}`, { parent: contextOf(run.traceparent), attributes }, () => this.#execute(claimed));
  }

  async #execute({ run, journal }: ClaimedRun): Promise<void> {
    const def = this.#registry.get(run.flow, run.version);
    if (def === undefined) {
      // A deployment without this version (yet, or any more): leave the run as it is.
      this.#log.warn({ runId: run.id, flow: run.flow, version: run.version }, 'flow version not registered; run left waiting');
      await this.#journal.write({ runId: run.id, run: { wake_at: this.#clock.now() + MISSING_VERSION_RETRY_MS, release: true } });
      return;
    }
    const ctx = new ReplayContext(run, journal, def, this.#clock, this.#journal, this.#stopping);
    let output: unknown;
    let thrown: unknown;
    try {
      output = await def.run(ctx);
    } catch (err) {
      thrown = err;
    }
    try {
      const signal = ctx.signal ?? (thrown instanceof FlowSignal ? thrown : undefined);
      if (signal instanceof Suspended || signal instanceof LostLease) return;
      if (signal instanceof StepFailed) {
        await ctx.write([ctx.row(signal.step, ctx.journal.get(signal.step)?.kind ?? 'run', {
          status: 'failed',
          attempts: signal.attempt,
          error: `${signal.error.code}: ${signal.error.message}`,
        })], { status: 'compensating', stop_reason: 'failed', error: `step "${signal.step}" failed: ${signal.error.code}: ${signal.error.message}` });
        ctx.mode = 'compensate';
        await compensate(ctx, def, this.#journal, this.#clock, 'failed');
        return;
      }
      if (signal === undefined && thrown !== undefined) {
        // The flow's own code threw outside any step: a bug or a business decision, final either way.
        const err = toInterlockError(thrown);
        await ctx.write([], { status: 'compensating', stop_reason: 'failed', error: `${err.code}: ${err.message}` });
        ctx.mode = 'compensate';
        await compensate(ctx, def, this.#journal, this.#clock, 'failed');
        return;
      }
      if (signal instanceof StopReplay || ctx.mode === 'compensate') {
        await compensate(ctx, def, this.#journal, this.#clock, run.stop_reason === 'failed' ? 'failed' : 'cancelled');
        return;
      }
      await this.#journal.write({
        runId: run.id,
        // `forward`: a cancel that came after the last step still compensates instead of completing.
        run: { status: 'completed', output: JSON.stringify(output ?? null), wake_at: null, ended_at: this.#clock.now(), release: true, forward: true },
        // Only a flow that queues can have a run waiting behind this one; others skip the lookup.
        ...(this.#registry.mayQueue(run.flow) ? { promote: { flow: run.flow, key: run.key } } : {}),
      });
    } catch (err) {
      if (err instanceof LostLease) return;
      throw err;
    }
  }
}
