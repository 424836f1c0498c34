/**
 * The one place the synchronous API names the manufacturer story's asynchronous flow: order
 * submission (`POST /v1/sales-orders`) starts its runs, and `GET /v1/orders/{runId}` reports them.
 *
 * The flow is registered when `connectors.dynamics`, `connectors.sap` and `connectors.avalara` are
 * configured (src/flows/manufacturer). With SAP alone (the checks only) a submission is refused
 * with 503 `flow-not-registered`: accepting an order nothing will book would mislead the portal.
 */
import { MANUFACTURER_LEAD_TO_ORDER_FLOW } from '../../flows/manufacturer/flow.ts';

/** The flow that books a CRM (Dynamics 365) opportunity into SAP as a sales order; business key = the opportunity id. */
export const MANUFACTURER_ORDER_FLOW = MANUFACTURER_LEAD_TO_ORDER_FLOW;
