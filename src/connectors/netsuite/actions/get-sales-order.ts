/**
 * Reads a sales order with its lines, including the document number (`tranId`) the CRM shows
 * as the order number.
 */
import type { NetSuiteClient } from '../client.ts';
import type { NetSuiteRef, RenderedRef } from './records.ts';
import { recordPath } from './records.ts';

/** A line of a sales order or invoice. */
export interface TransactionLine {
  line: number;
  item: RenderedRef;
  quantity: number;
  rate?: number;
  amount?: number;
  description?: string;
  isClosed?: boolean;
}

/** A sales order as read. */
export interface SalesOrder {
  id: string;
  externalId?: string;
  tranId: string;
  tranDate?: string;
  /** E.g. `{id: 'B', refName: 'Pending Fulfillment'}`. */
  status?: RenderedRef;
  entity: RenderedRef;
  subsidiary?: RenderedRef;
  currency?: RenderedRef;
  memo?: string;
  total?: number;
  item: { items: TransactionLine[] };
}

/** Reads a sales order by internal or external id; `not-found` when there is none. */
export async function getSalesOrder(client: NetSuiteClient, key: NetSuiteRef): Promise<SalesOrder> {
  const res = await client.rest<SalesOrder>({ method: 'GET', path: recordPath('salesOrder', key), query: { expandSubResources: true } });
  return { ...res.body, item: { items: res.body.item?.items ?? [] } };
}
