/**
 * The built-in flows every Interlock process registers. The first story's flows (lead-to-order,
 * billing feedback, renewals and amendments) call the four systems, so they are registered only
 * when `connectors` configures them; so are the manufacturer's (Dynamics 365, SAP, Avalara); each flow is one folder here and one line below. Samples
 * (`samples/`) are not registered.
 */
import { FlowRegistry } from '../engine/flows/registry.ts';
import type { Store } from '../store/store.ts';
import { billingFeedbackFlow } from './billing-feedback/flow.ts';
import type { FlowDefinition } from './define-flow.ts';
import type { LeadToOrderDeps } from './lead-to-order/deps.ts';
import { leadToOrderFlow } from './lead-to-order/flow.ts';
import type { ManufacturerDeps } from './manufacturer/deps.ts';
import { manufacturerErpEventsFlow } from './manufacturer/erp-events.ts';
import { manufacturerLeadToOrderFlow } from './manufacturer/flow.ts';
import { renewalsFlow } from './renewals/flow.ts';

/**
 * The story's flows over `systems`, every version still needed by runs in flight. `store` keeps
 * the last applied version of each Stripe object, so stale events are recognised.
 */
export function storyFlows(systems: LeadToOrderDeps, store: Store): FlowDefinition[] {
  return [leadToOrderFlow(systems), billingFeedbackFlow(systems, { store }), renewalsFlow(systems, { store })];
}

/**
 * The manufacturer story's flows over Dynamics 365 and SAP: lead-to-order and the ERP events back
 * to the CRM (canonical events sent to `publishTo` when given).
 */
export function manufacturerFlows(systems: ManufacturerDeps, store: Store, options: { publishTo?: string | undefined } = {}): FlowDefinition[] {
  return [manufacturerLeadToOrderFlow(systems), manufacturerErpEventsFlow(systems, { store, publishTo: options.publishTo })];
}

/** A registry holding every built-in flow: what `interlock start`, `worker` and `runs` use. */
export function builtInFlows(systems?: LeadToOrderDeps, store?: Store, manufacturer?: { systems: ManufacturerDeps; publishTo?: string | undefined }): FlowRegistry {
  const registry = new FlowRegistry();
  if (systems !== undefined && store !== undefined) for (const flow of storyFlows(systems, store)) registry.register(flow);
  if (manufacturer !== undefined && store !== undefined) for (const flow of manufacturerFlows(manufacturer.systems, store, manufacturer)) registry.register(flow);
  return registry;
}
