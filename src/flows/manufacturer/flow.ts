/**
 * The manufacturer's lead-to-order: the same flow as the first story (`../lead-to-order/flow.ts`)
 * over the Dynamics 365 and SAP S/4HANA ports. A won opportunity (`opportunity.closed-won` from
 * source `dynamics`) is validated (canonical Order and Customer, legal entity → SAP sales area,
 * currency, price list, AvaTax estimate), approved above the discount threshold, booked as an SAP
 * business partner and sales order, and written back (`il_integrationstatus`, `il_erpordernumber`).
 * Steps: `read-opportunity`, `validate`, …, `sap-customer`, `sap-sales-order`, `write-back`.
 */
import type { FlowDefinition } from '../define-flow.ts';
import { leadToOrderOverPorts } from '../lead-to-order/flow.ts';
import type { LeadToOrderFlowOptions } from '../lead-to-order/flow.ts';
import type { ManufacturerDeps } from './deps.ts';
import { manufacturerPorts } from './ports.ts';

/** The flow's name (both stories' flows can run in one Interlock). */
export const MANUFACTURER_LEAD_TO_ORDER_FLOW = 'manufacturer-lead-to-order';

/** The flow, business key = the Dynamics opportunity id. */
export function manufacturerLeadToOrderFlow(deps: ManufacturerDeps, options: LeadToOrderFlowOptions = {}): FlowDefinition {
  return leadToOrderOverPorts(manufacturerPorts(deps), { name: MANUFACTURER_LEAD_TO_ORDER_FLOW, ...options });
}
