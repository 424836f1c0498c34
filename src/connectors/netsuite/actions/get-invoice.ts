/**
 * Reads an invoice with its lines and payment state, for billing feedback.
 */
import type { NetSuiteClient } from '../client.ts';
import type { TransactionLine } from './get-sales-order.ts';
import type { NetSuiteRef, RenderedRef } from './records.ts';
import { recordPath } from './records.ts';

/** An invoice as read. */
export interface Invoice {
  id: string;
  externalId?: string;
  tranId: string;
  tranDate?: string;
  /** `refName` `Open` or `Paid In Full`. */
  status?: RenderedRef;
  entity: RenderedRef;
  /** The sales order it bills. */
  createdFrom?: RenderedRef;
  currency?: RenderedRef;
  total?: number;
  amountPaid?: number;
  amountRemaining?: number;
  item: { items: TransactionLine[] };
}

/** Reads an invoice by internal or external id; `not-found` when there is none. */
export async function getInvoice(client: NetSuiteClient, key: NetSuiteRef): Promise<Invoice> {
  const res = await client.rest<Invoice>({ method: 'GET', path: recordPath('invoice', key), query: { expandSubResources: true } });
  return { ...res.body, item: { items: res.body.item?.items ?? [] } };
}
