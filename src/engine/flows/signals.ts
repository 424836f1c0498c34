/**
 * Internal signals that end one execution of a run's code: thrown from a step primitive, caught
 * by the executor. Flow code must let them pass (never swallow errors thrown by `ctx.step`); the
 * executor also remembers the first signal of an execution, so a swallowed one still counts.
 */
import type { InterlockError } from '../../core/errors.ts';

/** Base of every signal, so the executor can tell them from the flow's own errors. */
export class FlowSignal extends Error {}

/** The run waits (timer, event, approval, or a retry's backoff); its journal write is done. */
export class Suspended extends FlowSignal {
  constructor() {
    super('run suspended');
  }
}

/** A step failed for good: the run compensates. */
export class StepFailed extends FlowSignal {
  readonly step: string;
  readonly error: InterlockError;
  /** The attempt that failed. */
  readonly attempt: number;

  constructor(step: string, error: InterlockError, attempt: number) {
    super(`step "${step}" failed: ${error.message}`);
    this.step = step;
    this.error = error;
    this.attempt = attempt;
  }
}

/** Replay for compensation reached the first step not done: stop and compensate. */
export class StopReplay extends FlowSignal {
  constructor() {
    super('replay stopped for compensation');
  }
}

/** This worker no longer holds the run's lease: another worker owns it; touch nothing more. */
export class LostLease extends FlowSignal {
  constructor() {
    super('lease lost');
  }
}
