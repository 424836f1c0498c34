/**
 * What the `/v1` routes are given, and the one refusal when the connectors are not configured.
 */
import { transientError } from '../../core/errors.ts';
import type { FlowRuntime } from '../../engine/flows/runtime.ts';
import type { LeadToOrderDeps } from '../../flows/lead-to-order/deps.ts';
import type { SapSystems } from '../sync/sap-systems.ts';
import type { SyncContext } from '../sync/sync-context.ts';

/** Dependencies of the `/v1` routes. */
export interface V1Deps extends SyncContext {
  /** The connector clients; undefined when `interlock start` has none configured. */
  systems: LeadToOrderDeps | undefined;
  /** The SAP client of the near-real-time checks; undefined without `connectors.sap`. */
  sap?: SapSystems | undefined;
  flows: FlowRuntime;
}

/** The connector clients, or a 503 problem saying they are not configured. */
export function systemsOf(deps: V1Deps): LeadToOrderDeps {
  if (deps.systems === undefined) {
    throw transientError('the synchronous operations need the Salesforce, NetSuite, Stripe and Avalara connectors, which are not configured', {
      type: 'connectors-not-configured',
    });
  }
  return deps.systems;
}
