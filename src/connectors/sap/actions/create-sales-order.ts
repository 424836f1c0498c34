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

/** One item of the deep insert. */
export interface SalesOrderItemBody {
  Material: string;
  /** Decimal as a string, e.g. `"5"`. */
  RequestedQuantity: string;
  RequestedQuantityUnit?: string;
  [property: string]: unknown;
}

/** The `A_SalesOrder` deep-insert body (what `mappings/order-to-sales-order.yaml` makes). */
export interface SalesOrderBody {
  SalesOrderType?: string;
  SalesOrganization: string;
  DistributionChannel: string;
  OrganizationDivision: string;
  SoldToParty: string;
  /** The idempotency key (max 35 characters): the CRM deal. */
  PurchaseOrderByCustomer: string;
  to_Item: readonly SalesOrderItemBody[];
  [property: string]: unknown;
}

/** The order and whether this call made it. */
export interface CreateSalesOrderResult {
  order: SalesOrder;
  created: boolean;
}

/** Creates the order unless one with this reference exists. */
export async function createSalesOrder(client: SapClient, body: SalesOrderBody): Promise<CreateSalesOrderResult> {
  const reference = body.PurchaseOrderByCustomer;
  if (typeof reference !== 'string' || reference === '' || reference.length > 35) {
    throw new InterlockError('validation', 'PurchaseOrderByCustomer must have 1 to 35 characters: it is how a retry finds the order', { details: { path: 'PurchaseOrderByCustomer' } });
  }
  if (!Array.isArray(body.to_Item) || body.to_Item.length === 0) throw new InterlockError('validation', 'An SAP sales order needs at least one item', { details: { path: 'to_Item' } });
  const existing = await findSalesOrderByReference(client, reference, body.SoldToParty);
  if (existing !== undefined) return { order: existing, created: false };
  try {
    const res = await client.request({ method: 'POST', service: SO_SERVICE, path: 'A_SalesOrder', json: { SalesOrderType: 'OR', ...body } });
    return { order: toSalesOrder(entity(res.body)), created: true };
  } catch (err) {
    if (err instanceof InterlockError && (err.code === 'validation' || err.code === 'auth' || err.code === 'permanent')) throw err;
    const found = await findSalesOrderByReference(client, reference, body.SoldToParty).catch(() => undefined);
    if (found !== undefined) return { order: found, created: true };
    throw err;
  }
}
