/**
 * A sample flow of five journaled steps, each with an optional effect and a compensation: the
 * subject of the runtime's crash test and of the flows benchmark (where the steps do no I/O).
 * The real business flows (lead-to-order, quote-to-cash…) come with the connectors.
 */
import { defineFlow, type ConcurrencyPolicy, type FlowDefinition, type StepScope } from '../define-flow.ts';

/** The steps, in order. */
export const FIVE_STEPS = ['one', 'two', 'three', 'four', 'five'] as const;

/** Options of {@link fiveStepFlow}. */
export interface FiveStepOptions {
  /** @default 'five-steps' */
  name?: string;
  /** @default 1 */
  version?: number;
  concurrency?: ConcurrencyPolicy;
  /** The side effect of each step (none by default); it gets the step's idempotency key in `scope`. */
  effect?: (step: string, scope: StepScope, key: string) => Promise<unknown> | unknown;
  /** Undoes a step's effect. */
  undo?: (step: string, scope: StepScope, key: string) => Promise<unknown> | unknown;
}

/** Builds the five-step flow. Its input is any JSON; it returns the steps' results. */
export function fiveStepFlow(options: FiveStepOptions = {}): FlowDefinition {
  const { effect, undo } = options;
  return defineFlow({
    name: options.name ?? 'five-steps',
    version: options.version ?? 1,
    concurrency: options.concurrency ?? 'reject',
    async run(ctx) {
      const results: unknown[] = [];
      for (const [i, step] of FIVE_STEPS.entries()) {
        results.push(
          await ctx.step.run(
            step,
            async (scope) => ({ step, n: i + 1, effect: effect === undefined ? null : ((await effect(step, scope, ctx.key)) ?? null) }),
            undo === undefined ? {} : { compensate: (_r, scope) => undo(step, scope, ctx.key) },
          ),
        );
      }
      return results;
    },
  }) as FlowDefinition;
}
