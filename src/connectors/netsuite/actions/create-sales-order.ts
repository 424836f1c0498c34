/**
 * Creates the sales order for a deal, or finds the one already made: the external id (the CRM
 * opportunity id) is the idempotency key. A found order is returned as it is — a retried step
 * must not rewrite an order that may already be fulfilled or billed.
 *
 * Two calls either way: a POST carrying the external id (NetSuite refuses a second record with
 * one already taken, so two attempts never make two orders and an existing order is never
 * touched), then a read of the order for its document number — by the Location of the new one,
 * or by external id when the POST was refused.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { NetSuiteClient } from '../client.ts';
import { idFromLocation } from '../client.ts';
import { getSalesOrder } from './get-sales-order.ts';
import type { SalesOrder } from './get-sales-order.ts';
import type { NetSuiteRef } from './records.ts';

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
  const { externalId, customer, lines, ...rest } = input;
  let made;
  try {
    made = await client.rest({ method: 'POST', path: 'record/v1/salesOrder', json: { ...rest, externalId, entity: customer, item: { items: lines } } });
  } catch (err) {
    // NetSuite answers a taken external id with a 400 (USER_ERROR, or a code classified
    // `permanent`): an earlier attempt, whose answer may have been lost, made the order. Any
    // other refusal stands.
    if (!(err instanceof InterlockError) || !['validation', 'conflict', 'permanent'].includes(err.code)) throw err;
    const existing = await findSalesOrder(client, key);
    if (existing === undefined) throw err;
    return { order: existing, created: false };
  }
  return { order: await getSalesOrder(client, { id: idFromLocation(made) }), created: true };
}

async function findSalesOrder(client: NetSuiteClient, key: NetSuiteRef): Promise<SalesOrder | undefined> {
  try {
    return await getSalesOrder(client, key);
  } catch (err) {
    if (err instanceof InterlockError && err.code === 'not-found') return undefined;
    throw err;
  }
}
