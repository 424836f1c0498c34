/**
 * Changes a sales order after booking: header fields (term end, subscription status) and lines
 * (an amendment's new quantities and prices, added items, closed items). Lines with a `line`
 * number are merged into that line; lines without one are added. Repeating the same change
 * leaves the same order, except that a repeated addition adds again: callers pass added lines
 * only for items the order does not have yet (read it first).
 */
import type { NetSuiteClient } from '../client.ts';
import type { NetSuiteRef } from './records.ts';
import { recordPath } from './records.ts';

/** A line to change (with `line`) or to add (without). */
export interface SalesOrderLineChange {
  line?: number;
  item?: { id: string } | { externalId: string };
  quantity?: number;
  rate?: number;
  description?: string;
  isClosed?: boolean;
}

/** What to change. */
export interface SalesOrderChange {
  fields?: Readonly<Record<string, unknown>>;
  lines?: readonly SalesOrderLineChange[];
}

/** Applies `change` to the order. */
export async function updateSalesOrder(client: NetSuiteClient, key: NetSuiteRef, change: SalesOrderChange): Promise<void> {
  const lines = change.lines ?? [];
  const json = { ...change.fields, ...(lines.length === 0 ? {} : { item: { items: lines } }) };
  if (Object.keys(json).length === 0) return;
  await client.rest({ method: 'PATCH', path: recordPath('salesOrder', key), json });
}
