/**
 * Reading sales orders: by number with items, or by `PurchaseOrderByCustomer` — the reference
 * Interlock writes (the CRM opportunity), which is how it finds its own earlier create.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { SapClient } from '../client.ts';
import { collection, entity, entityPath, expanded, literal } from '../odata.ts';

/** The sales order service. */
export const SO_SERVICE = 'API_SALES_ORDER_SRV';

/** One item. */
export interface SalesOrderItem {
  SalesOrderItem: string;
  Material: string;
  RequestedQuantity: string;
  RequestedQuantityUnit: string;
  NetAmount: string;
}

/** A sales order with its items. */
export interface SalesOrder {
  SalesOrder: string;
  SoldToParty: string;
  PurchaseOrderByCustomer: string;
  TransactionCurrency: string;
  TotalNetAmount: string;
  OverallSDProcessStatus: string;
  OverallTotalDeliveryStatus: string;
  etag: string | undefined;
  items: SalesOrderItem[];
  raw: Record<string, unknown>;
}

/** Converts a read order. */
export function toSalesOrder(raw: Record<string, unknown>): SalesOrder {
  return {
    SalesOrder: String(raw['SalesOrder'] ?? ''),
    SoldToParty: String(raw['SoldToParty'] ?? ''),
    PurchaseOrderByCustomer: String(raw['PurchaseOrderByCustomer'] ?? ''),
    TransactionCurrency: String(raw['TransactionCurrency'] ?? ''),
    TotalNetAmount: String(raw['TotalNetAmount'] ?? '0'),
    OverallSDProcessStatus: String(raw['OverallSDProcessStatus'] ?? ''),
    OverallTotalDeliveryStatus: String(raw['OverallTotalDeliveryStatus'] ?? ''),
    etag: (raw['__metadata'] as { etag?: string } | undefined)?.etag,
    items: expanded<SalesOrderItem>(raw['to_Item']),
    raw,
  };
}

/** The order with this number. */
export async function getSalesOrder(client: SapClient, salesOrder: string): Promise<SalesOrder> {
  const res = await client.get(SO_SERVICE, entityPath('A_SalesOrder', salesOrder), { $expand: 'to_Item' });
  return toSalesOrder(entity(res.body));
}

/** The order carrying this customer reference (for this sold-to party, when given); undefined when none. */
export async function findSalesOrderByReference(client: SapClient, reference: string, soldToParty?: string): Promise<SalesOrder | undefined> {
  const filter = `PurchaseOrderByCustomer eq ${literal(reference)}${soldToParty === undefined ? '' : ` and SoldToParty eq ${literal(soldToParty)}`}`;
  const res = await client.get(SO_SERVICE, 'A_SalesOrder', { $filter: filter, $expand: 'to_Item', $top: 2 });
  const { results } = collection<Record<string, unknown>>(res.body);
  if (results.length > 1) throw new InterlockError('conflict', `SAP holds more than one sales order with reference ${reference}`, { details: { reference } });
  return results[0] === undefined ? undefined : toSalesOrder(results[0]);
}
