/**
 * Writing to NetSuite items by SKU (the item's external id, which is the Salesforce
 * `ProductCode`): one SuiteQL lookup per micro-batch finds each SKU's record type and id, then
 * each item is patched. A SKU NetSuite does not have yet is created as a service sale item by
 * external id (an upsert, so a replayed batch creates nothing twice).
 */
import { suiteQl } from '../../../connectors/netsuite/actions/suiteql-query.ts';
import type { NetSuiteClient } from '../../../connectors/netsuite/client.ts';
import type { ApiBudget } from '../budget.ts';

/** SuiteQL `itemtype` → REST record type. */
const RECORD_TYPE: Readonly<Record<string, string>> = { InvtPart: 'inventoryItem', NonInvtPart: 'nonInventorySaleItem', Service: 'serviceSaleItem' };

/** SKUs as SuiteQL string literals (quotes doubled). */
function literals(skus: readonly string[]): string {
  return skus.map((s) => `'${s.replace(/'/g, "''")}'`).join(', ');
}

/** Where each SKU lives in NetSuite: `type/id`, by SKU. */
export async function locateItems(client: NetSuiteClient, budget: ApiBudget, skus: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (skus.length === 0) return found;
  await budget.call('netsuite', async () => {
    for await (const row of suiteQl(client, { q: `SELECT id, itemtype, externalid FROM item WHERE externalid IN (${literals(skus)})` })) {
      const type = RECORD_TYPE[row['itemtype'] ?? ''];
      if (type !== undefined && row['externalid'] !== undefined) found.set(row['externalid'], `${type}/${row['id'] ?? ''}`);
    }
  });
  return found;
}

/** Patches the item at `where` (from {@link locateItems}), or creates the SKU when undefined. */
export async function writeItem(client: NetSuiteClient, budget: ApiBudget, sku: string, where: string | undefined, fields: Record<string, unknown>): Promise<void> {
  if (where !== undefined) {
    await budget.call('netsuite', () => client.rest({ method: 'PATCH', path: `record/v1/${where}`, json: fields }));
    return;
  }
  await budget.call('netsuite', () =>
    client.rest({ method: 'PUT', path: `record/v1/serviceSaleItem/eid:${encodeURIComponent(sku)}`, json: { itemId: sku, ...fields } }),
  );
}
