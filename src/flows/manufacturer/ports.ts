/**
 * The manufacturer story's adapters of lead-to-order's ports: Dynamics 365 as the CRM (the
 * opportunity read with its account and lines, the `il_` integration columns written back) and
 * SAP S/4HANA as the ERP (business partner upserted by the account number; the sales order
 * booked once — SAP takes no idempotency key, so `createSalesOrder` finds an earlier create by
 * `PurchaseOrderByCustomer` = the opportunity first — and blocked for delivery and billing as the
 * compensation). No billing port: SAP bills from the delivery.
 */
import type { DynamicsOpportunity } from '../../connectors/dynamics/actions/get-opportunity.ts';
import { getOpportunity } from '../../connectors/dynamics/actions/get-opportunity.ts';
import { updateOpportunity } from '../../connectors/dynamics/actions/update-opportunity.ts';
import { DYNAMICS_SOURCE } from '../../connectors/dynamics/triggers/won-opportunity.ts';
import { createSalesOrder, type SalesOrderBody } from '../../connectors/sap/actions/create-sales-order.ts';
import { getSalesOrder, SO_SERVICE } from '../../connectors/sap/actions/sales-order.ts';
import { upsertCustomer, type BusinessPartnerBody } from '../../connectors/sap/actions/upsert-customer.ts';
import { entityPath } from '../../connectors/sap/odata.ts';
import { InterlockError } from '../../core/errors.ts';
import { XrefCache } from '../../mapping/xref.ts';
import type { CrmPort, ErpPort, LeadToOrderPorts, ValidDeal } from '../lead-to-order/ports.ts';
import { INTEGRATION_STATUS } from '../lead-to-order/write-back.ts';
import type { ManufacturerDeps } from './deps.ts';
import { legalEntityOf, maxDiscountPercent, validateManufacturerDeal } from './validate.ts';

/** The SAP sales order as the flow journals it. */
export interface BookedSapOrder {
  salesOrder: string;
  soldToParty: string;
  /** `PurchaseOrderByCustomer`: the opportunity, how the order is found again. */
  reference: string;
  created: boolean;
}

/** Delivery and billing block set on a cancelled order ("01" is the standard block reason). */
export const CANCEL_BLOCK_REASON = '01';

/** Dynamics 365 as the CRM. */
export function dynamicsCrm(deps: Pick<ManufacturerDeps, 'dynamics'>): CrmPort<DynamicsOpportunity> {
  return {
    source: DYNAMICS_SOURCE,
    readDeal: (opportunityId) => getOpportunity(deps.dynamics, { opportunityId }),
    isWon: (o) => o.statecode === 1,
    alreadySynced: (o) => (o['il_integrationstatus'] === INTEGRATION_STATUS.synced ? { sapSalesOrder: String(o['il_erpordernumber'] ?? '') } : undefined),
    approvalFacts: (o) => ({ name: o.name, amount: typeof o['totalamount'] === 'number' ? o['totalamount'] : null }),
    maxDiscountPercent,
    reportStatus: (opportunityId, status, text) => updateOpportunity(deps.dynamics, { opportunityId, integrationStatus: status, integrationError: text }),
    reportSynced: (opportunityId, booking) =>
      updateOpportunity(deps.dynamics, { opportunityId, integrationStatus: INTEGRATION_STATUS.synced, integrationError: null, erpOrderNumber: booking.erpOrderNumber }),
  };
}

/** SAP S/4HANA as the ERP. */
export function sapErp(deps: Pick<ManufacturerDeps, 'sap' | 'mappers' | 'config'>): ErpPort<DynamicsOpportunity, BookedSapOrder> {
  const areaOf = (deal: ValidDeal<DynamicsOpportunity>) => {
    const area = deps.config.salesAreas[legalEntityOf(deal.order, deal.customer) ?? ''];
    // Validation checked it; a changed configuration between validation and booking is permanent.
    if (area === undefined) throw new InterlockError('permanent', `no SAP sales area is configured for legal entity ${legalEntityOf(deal.order, deal.customer) ?? '(none)'}`);
    return area;
  };
  return {
    name: 'sap',
    label: 'SAP',
    async upsertCustomer(deal) {
      const body = await deps.mappers.businessPartner.mapOne<BusinessPartnerBody>(deal.customer);
      const area = areaOf(deal);
      // The configured sales area replaces the mapping's default one.
      const salesAreas = (body.to_Customer?.to_CustomerSalesArea ?? []).map((a) => ({ ...a, SalesOrganization: area.salesOrganization, DistributionChannel: area.distributionChannel, Division: area.division }));
      const { businessPartner } = await upsertCustomer(deps.sap, { ...body, to_Customer: { ...body.to_Customer, to_CustomerSalesArea: salesAreas } });
      return businessPartner.Customer === '' ? businessPartner.BusinessPartner : businessPartner.Customer;
    },
    async bookOrder(deal, soldToParty) {
      const cache = new XrefCache();
      cache.preload([{ canonicalType: 'customer', canonicalId: deal.customer.id, system: 'sap', objectType: 'businessPartner', externalId: soldToParty }]);
      const body = await deps.mappers.salesOrder.mapOne<SalesOrderBody>({ ...deal.order, customerId: deal.customer.id }, { cache });
      const area = areaOf(deal);
      const { order, created } = await createSalesOrder(deps.sap, { ...body, SalesOrganization: area.salesOrganization, DistributionChannel: area.distributionChannel, OrganizationDivision: area.division });
      return { salesOrder: order.SalesOrder, soldToParty: order.SoldToParty, reference: order.PurchaseOrderByCustomer, created };
    },
    cancelOrder: (order, reason) => blockSalesOrder(deps, order, reason),
    orderNumber: (order) => order.salesOrder,
    resultFields: (order) => ({ sapSalesOrder: order.salesOrder }),
  };
}

/**
 * Compensation: blocks the order for delivery and billing, so nobody ships or bills it (the
 * connector does not delete or reject SAP orders). Sent with the order's ETag; a stale one (someone
 * changed the order meanwhile) is read again once. Repeatable.
 */
export async function blockSalesOrder(deps: Pick<ManufacturerDeps, 'sap'>, order: BookedSapOrder, reason: string): Promise<{ blocked: string; reason: string }> {
  const path = entityPath('A_SalesOrder', order.salesOrder);
  for (let attempt = 0; ; attempt++) {
    const current = await getSalesOrder(deps.sap, order.salesOrder);
    try {
      await deps.sap.request({ method: 'PATCH', service: SO_SERVICE, path, ifMatch: current.etag ?? '*', json: { DeliveryBlockReason: CANCEL_BLOCK_REASON, HeaderBillingBlockReason: CANCEL_BLOCK_REASON } });
      return { blocked: order.salesOrder, reason };
    } catch (err) {
      if (!(err instanceof InterlockError) || err.details?.['status'] !== 412 || attempt > 0) throw err;
    }
  }
}

/** The manufacturer story: Dynamics 365 → SAP S/4HANA, validated against its configuration and AvaTax. */
export function manufacturerPorts(deps: ManufacturerDeps): LeadToOrderPorts<DynamicsOpportunity> {
  return {
    crm: dynamicsCrm(deps),
    erp: sapErp(deps) as ErpPort<DynamicsOpportunity>,
    validate: (opportunity) => validateManufacturerDeal(deps, opportunity),
    get discountApprovalThresholdPercent() {
      return deps.config.discountApprovalThresholdPercent;
    },
  };
}
