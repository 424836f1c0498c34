/**
 * Bills a sales order: transforms it into an invoice carrying the billing system's invoice id
 * (e.g. the Stripe invoice) as external id, so the same billing event bills the order once.
 */
import type { NetSuiteClient } from '../client.ts';
import { getInvoice } from './get-invoice.ts';
import type { Invoice } from './get-invoice.ts';
import type { NetSuiteRef } from './records.ts';
import { getSalesOrder } from './get-sales-order.ts';
import { transformOnce } from './transform-once.ts';

/** What to bill. */
export interface BillSalesOrderInput {
  salesOrder: NetSuiteRef;
  /** External id of the invoice: the caller's idempotency key. */
  externalId: string;
  tranDate?: string;
  dueDate?: string;
  memo?: string;
  otherRefNum?: string;
  /** The lines billed, when not every line of the order as NetSuite copies it (e.g. one billing period's recurring items). */
  lines?: ReadonlyArray<{ item: { id: string } | { externalId: string }; quantity: number; rate: number; description?: string }>;
}

/** Creates (or finds) the invoice of the order; `created` says whether this call made it. */
export async function billSalesOrder(client: NetSuiteClient, input: BillSalesOrderInput): Promise<{ invoice: Invoice; created: boolean }> {
  const { salesOrder, externalId, lines, ...fields } = input;
  const fromId = 'id' in salesOrder ? salesOrder.id : (await getSalesOrder(client, salesOrder)).id;
  const body = lines === undefined ? fields : { ...fields, item: { items: lines } };
  const made = await transformOnce(client, { fromType: 'salesOrder', fromId, toType: 'invoice', externalId, body });
  return { invoice: await getInvoice(client, { id: made.id }), created: made.created };
}
