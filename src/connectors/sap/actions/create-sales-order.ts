/**
 * Books a deal as a sales order exactly once. SAP takes no idempotency key, so the customer
 * reference (`PurchaseOrderByCustomer` = the CRM opportunity) is the key: the order is looked up
 * by it first and returned untouched when found; otherwise it is created by deep insert (header
 * and `to_Item` in one POST). If the create fails without a clear refusal — a connection lost
 * after SAP committed, a timeout, a 5xx — the lookup runs again before the failure is reported,
 * and a retried step finds the order in its first lookup.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { SapClient } from '../client.ts';
import { entity } from '../odata.ts';
import { findSalesOrderByReference, SO_SERVICE, toSalesOrder, type SalesOrder } from './sales-order.ts';

/** One item to order. */
export interface SalesOrderItemInput {
  material: string;
  quantity: number | string;
  unit?: string;
}

/** The order to book (header values as SAP names them). */
export interface SalesOrderInput {
  /** `PurchaseOrderByCustomer` (max 35 characters): the idempotency key. */
  reference: string;
  soldToParty: string;
  salesOrderType?: string;
  salesOrganization: string;
  distributionChannel: string;
  division: string;
  /** `YYYY-MM-DD` */
  requestedDeliveryDate?: string;
  items: readonly SalesOrderItemInput[];
}

/** The order and whether this call made it. */
export interface CreateSalesOrderResult {
  order: SalesOrder;
  created: boolean;
}

/** Creates the order unless one with this reference exists. */
export async function createSalesOrder(client: SapClient, input: SalesOrderInput): Promise<CreateSalesOrderResult> {
  if (input.reference === '' || input.reference.length > 35) throw new InterlockError('validation', 'reference must have 1 to 35 characters (PurchaseOrderByCustomer)', { details: { path: 'reference' } });
  if (input.items.length === 0) throw new InterlockError('validation', 'An SAP sales order needs at least one item', { details: { path: 'items' } });
  const existing = await findSalesOrderByReference(client, input.reference, input.soldToParty);
  if (existing !== undefined) return { order: existing, created: false };
  const body = {
    SalesOrderType: input.salesOrderType ?? 'OR',
    SalesOrganization: input.salesOrganization,
    DistributionChannel: input.distributionChannel,
    OrganizationDivision: input.division,
    SoldToParty: input.soldToParty,
    PurchaseOrderByCustomer: input.reference,
    ...(input.requestedDeliveryDate === undefined ? {} : { RequestedDeliveryDate: `/Date(${Date.parse(`${input.requestedDeliveryDate}T00:00:00Z`)})/` }),
    to_Item: input.items.map((item) => ({ Material: item.material, RequestedQuantity: String(item.quantity), ...(item.unit === undefined ? {} : { RequestedQuantityUnit: item.unit }) })),
  };
  try {
    const res = await client.request({ method: 'POST', service: SO_SERVICE, path: 'A_SalesOrder', json: body });
    return { order: toSalesOrder(entity(res.body)), created: true };
  } catch (err) {
    if (err instanceof InterlockError && (err.code === 'validation' || err.code === 'auth' || err.code === 'permanent')) throw err;
    const found = await findSalesOrderByReference(client, input.reference, input.soldToParty).catch(() => undefined);
    if (found !== undefined) return { order: found, created: true };
    throw err;
  }
}
