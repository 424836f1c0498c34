/**
 * Compensation for a deal that failed after its order was made: closes every line of the sales
 * order (`isClosed`), which is how NetSuite cancels what is not yet fulfilled or billed. Closing
 * twice is harmless, so a retried compensation is safe.
 */
import type { NetSuiteClient } from '../client.ts';
import { getSalesOrder } from './get-sales-order.ts';
import type { SalesOrder } from './get-sales-order.ts';
import type { NetSuiteRef } from './records.ts';
import { recordPath } from './records.ts';

/** Closes the order's open lines and answers the order as it is afterwards. */
export async function closeSalesOrder(client: NetSuiteClient, key: NetSuiteRef, memo?: string): Promise<SalesOrder> {
  const order = await getSalesOrder(client, key);
  const open = order.item.items.filter((l) => l.isClosed !== true);
  if (open.length > 0 || memo !== undefined) {
    await client.rest({
      method: 'PATCH',
      path: recordPath('salesOrder', { id: order.id }),
      json: { ...(memo === undefined ? {} : { memo }), ...(open.length > 0 ? { item: { items: open.map((l) => ({ line: l.line, isClosed: true })) } } : {}) },
    });
  }
  return getSalesOrder(client, { id: order.id });
}
