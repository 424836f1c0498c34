/**
 * The built-in flows every Interlock process registers. Empty until the business flows
 * (lead-to-order, quote-to-cash, invoice feedback, renewals) arrive with their connectors; each
 * is one file in this folder and one line here. Samples (`samples/`) are not registered.
 */
import { FlowRegistry } from '../engine/flows/registry.ts';
import type { FlowDefinition } from './define-flow.ts';

/** The built-in flows, every version still needed by runs in flight. */
export const BUILT_IN_FLOWS: readonly FlowDefinition[] = [];

/** A registry holding every built-in flow: what `interlock start`, `worker` and `runs` use. */
export function builtInFlows(): FlowRegistry {
  const registry = new FlowRegistry();
  for (const flow of BUILT_IN_FLOWS) registry.register(flow);
  return registry;
}
