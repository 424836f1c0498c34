/**
 * The built-in flows every Interlock process registers. The first story's flows (lead-to-order
 * and its companions) call the four systems, so they are registered only when `connectors`
 * configures them; each flow is one folder here and one line below. Samples (`samples/`) are not
 * registered.
 */
import { FlowRegistry } from '../engine/flows/registry.ts';
import type { FlowDefinition } from './define-flow.ts';
import type { LeadToOrderDeps } from './lead-to-order/deps.ts';
import { leadToOrderFlow } from './lead-to-order/flow.ts';

/** The story's flows over `systems`, every version still needed by runs in flight. */
export function storyFlows(systems: LeadToOrderDeps): FlowDefinition[] {
  return [leadToOrderFlow(systems)];
}

/** A registry holding every built-in flow: what `interlock start`, `worker` and `runs` use. */
export function builtInFlows(systems?: LeadToOrderDeps): FlowRegistry {
  const registry = new FlowRegistry();
  for (const flow of systems === undefined ? [] : storyFlows(systems)) registry.register(flow);
  return registry;
}
