/**
 * Creates the sales order for a deal, or finds the one already made: the external id (the CRM
 * opportunity id) is the idempotency key. A found order is returned as it is — a retried step
 * must not rewrite an order that may already be fulfilled or billed.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { NetSuiteClient } from '../client.ts';
import { getSalesOrder } from './get-sales-order.ts';
import type { SalesOrder } from './get-sales-order.ts';
import type { NetSuiteRef } from './records.ts';
import { recordPath } from './records.ts';

/** One line to order. */
export interface SalesOrderLineInput {
  item: NetSuiteRef;
  quantity: number;
  /** Unit price; NetSuite uses the item's base price when absent. */
  rate?: number;
  description?: string;
  [custom: `custcol${string}`]: unknown;
}

/** The order to make. */
export interface SalesOrderInput {
  /** External id of the order: the caller's idempotency key. */
  externalId: string;
  customer: NetSuiteRef;
  lines: readonly SalesOrderLineInput[];
  tranDate?: string;
  memo?: string;
  otherRefNum?: string;
  currency?: NetSuiteRef;
  [custom: `custbody${string}`]: unknown;
}

/** The order and whether this call made it. */
export interface SalesOrderResult {
  order: SalesOrder;
  created: boolean;
}

/** Creates the order unless one with this external id exists. */
export async function createSalesOrder(client: NetSuiteClient, input: SalesOrderInput): Promise<SalesOrderResult> {
  if (input.lines.length === 0) throw new InterlockError('validation', 'A NetSuite sales order needs at least one line');
  for (const [i, line] of input.lines.entries()) {
    if (!(line.quantity > 0)) throw new InterlockError('validation', `Sales order line ${i + 1}: quantity must be positive`, { details: { path: `lines[${i}].quantity` } });
  }
  const key = { externalId: input.externalId };
  const existing = await findSalesOrder(client, key);
  if (existing !== undefined) return { order: existing, created: false };
  const { externalId: _key, customer, lines, ...rest } = input;
  // PUT on eid upserts: should two attempts race past the lookup, they still make one order.
  await client.rest({ method: 'PUT', path: recordPath('salesOrder', key), json: { ...rest, entity: customer, item: { items: lines } } });
  return { order: await getSalesOrder(client, key), created: true };
}

async function findSalesOrder(client: NetSuiteClient, key: NetSuiteRef): Promise<SalesOrder | undefined> {
  try {
    return await getSalesOrder(client, key);
  } catch (err) {
    if (err instanceof InterlockError && err.code === 'not-found') return undefined;
    throw err;
  }
}
