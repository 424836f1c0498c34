/**
 * The built-in flows every Interlock process registers. Empty until the business flows
 * (lead-to-order, quote-to-cash, invoice feedback, renewals) arrive with their connectors; each
 * is one file in this folder and one line here. Samples (`samples/`) are not registered.
 */
import type { FlowDefinition } from './define-flow.ts';

/** The built-in flows, every version still needed by runs in flight. */
export const BUILT_IN_FLOWS: readonly FlowDefinition[] = [];
