/**
 * The one place the synchronous API names the manufacturer story's asynchronous flow: order
 * submission (`POST /v1/sales-orders`) starts its runs, and `GET /v1/orders/{runId}` reports them.
 *
 * The flow is registered when `connectors.dynamics`, `connectors.sap` and `connectors.avalara` are
 * configured (src/flows/manufacturer). With SAP but without the rest (the checks only), a stand-in
 * of the same name records each submitted order as a run — visible, durable, with the order as its
 * input — and ends it saying that nothing was booked. When the real flow is registered, the
 * stand-in is not.
 */
import { defineFlow, type FlowDefinition } from '../../flows/define-flow.ts';
import type { FlowRegistry } from '../../engine/flows/registry.ts';
import { MANUFACTURER_LEAD_TO_ORDER_FLOW } from '../../flows/manufacturer/flow.ts';

/** The flow that books a CRM (Dynamics 365) opportunity into SAP as a sales order; business key = the opportunity id. */
export const MANUFACTURER_ORDER_FLOW = MANUFACTURER_LEAD_TO_ORDER_FLOW;

/** The stand-in: one step that records the submitted order; its output says it was not booked. */
export function recordedOrderFlow(): FlowDefinition {
  return defineFlow({
    name: MANUFACTURER_ORDER_FLOW,
    version: 1,
    concurrency: 'attach',
    async run(ctx) {
      const recorded = await ctx.step.run('record-order', () => ({ order: ctx.input ?? null }));
      return { ...recorded, booked: false, note: `recorded only: the ${MANUFACTURER_ORDER_FLOW} flow that books SAP sales orders is not registered in this process` };
    },
  });
}

/** Registers the stand-in in `registry` unless a flow of that name is there already. */
export function ensureOrderFlow(registry: FlowRegistry): void {
  try {
    registry.latest(MANUFACTURER_ORDER_FLOW);
  } catch {
    registry.register(recordedOrderFlow());
  }
}
