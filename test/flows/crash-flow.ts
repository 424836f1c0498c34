/**
 * The flow of the crash test: the sample five-step flow, each step's effect a POST to a sink
 * carrying the step's idempotency key (the sink applies each key once, as vendors do).
 */
import type { FlowDefinition } from '../../src/flows/define-flow.ts';
import { fiveStepFlow } from '../../src/flows/samples/five-steps.ts';

/** Name of the crash test's flow. */
export const CRASH_FLOW = 'crash-five';

/** The crash test's flow, posting to `sinkUrl`. */
export function crashFlow(sinkUrl: string): FlowDefinition {
  return fiveStepFlow({
    name: CRASH_FLOW,
    effect: async (step, scope, key) => {
      const res = await fetch(`${sinkUrl}/ok`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': scope.idempotencyKey },
        body: JSON.stringify({ run: key, step }),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`sink answered ${res.status}`);
      return res.status;
    },
  });
}
