/**
 * The NetSuite half of renewals and amendments, on the deal's one sales order (external id =
 * the Opportunity Id): a renewal extends its term (`endDate`); an amendment brings its lines to
 * the subscription's items as Stripe has them now — quantities and rates changed, new items
 * added, removed items closed. The lines are compared with the order as it is, so repeating the
 * step (a lost answer, a replay) changes nothing more.
 */
import { getSalesOrder } from '../../connectors/netsuite/actions/get-sales-order.ts';
import { suiteQl } from '../../connectors/netsuite/actions/suiteql-query.ts';
import { updateSalesOrder } from '../../connectors/netsuite/actions/update-sales-order.ts';
import type { SalesOrderLineChange } from '../../connectors/netsuite/actions/update-sales-order.ts';
import type { NetSuiteClient } from '../../connectors/netsuite/client.ts';
import { isoDate } from '../stripe-events/stale-guard.ts';
import type { ItemTerms, Renewal } from './change.ts';

/** Custom body field on the sales order: the Stripe subscription's status. */
export const SUBSCRIPTION_STATUS_FIELD = 'custbody_interlock_subscription_status';
/** Custom body field on the sales order: the start of the current billing period. */
export const PERIOD_START_FIELD = 'custbody_interlock_period_start';

/** Extends the order's term to the renewed period. */
export async function renewSalesOrder(client: NetSuiteClient, opportunityId: string, renewal: Renewal, status: string): Promise<{ endDate: string }> {
  const endDate = isoDate(renewal.periodEnd);
  await updateSalesOrder(client, { externalId: opportunityId }, { fields: { endDate, [PERIOD_START_FIELD]: isoDate(renewal.periodStart), [SUBSCRIPTION_STATUS_FIELD]: status } });
  return { endDate };
}

/** Writes the subscription's status on the order. */
export async function markSalesOrderStatus(client: NetSuiteClient, opportunityId: string, status: string): Promise<void> {
  await updateSalesOrder(client, { externalId: opportunityId }, { fields: { [SUBSCRIPTION_STATUS_FIELD]: status } });
}

/**
 * Brings the order's lines to `current` (the subscription's items now); lines of SKUs in
 * `removed` and not in `current` are closed. Lines of one-time items are left alone.
 */
export async function amendSalesOrder(client: NetSuiteClient, opportunityId: string, current: readonly ItemTerms[], removed: readonly string[]): Promise<{ changed: number }> {
  const order = await getSalesOrder(client, { externalId: opportunityId });
  const open = order.item.items.filter((l) => l.isClosed !== true);
  const skus = await externalIdsOf(client, open.map((l) => l.item.id));
  const changes: SalesOrderLineChange[] = [];
  for (const terms of current) {
    if (terms.sku === null) continue;
    const rate = terms.unitAmount / 100;
    const line = open.find((l) => skus.get(l.item.id) === terms.sku);
    if (line === undefined) changes.push({ item: { externalId: terms.sku }, quantity: terms.quantity, rate });
    else if (line.quantity !== terms.quantity || line.rate !== rate) changes.push({ line: line.line, quantity: terms.quantity, rate });
  }
  const kept = new Set(current.map((t) => t.sku));
  for (const line of open) {
    const sku = skus.get(line.item.id);
    if (sku !== undefined && removed.includes(sku) && !kept.has(sku)) changes.push({ line: line.line, isClosed: true });
  }
  await updateSalesOrder(client, { id: order.id }, { lines: changes });
  return { changed: changes.length };
}

// Item internal id → external id (the SKU), one SuiteQL query for the order's items.
async function externalIdsOf(client: NetSuiteClient, ids: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)].filter((id) => /^\d+$/.test(id));
  const out = new Map<string, string>();
  if (wanted.length === 0) return out;
  for await (const row of suiteQl(client, { q: `SELECT id, externalid FROM item WHERE id IN (${wanted.join(', ')})` })) {
    if (row['id'] !== undefined && row['externalid'] !== undefined) out.set(row['id'], row['externalid']);
  }
  return out;
}
