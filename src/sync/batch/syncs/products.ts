/**
 * `products`: Salesforce Product2 → NetSuite items by SKU (`ProductCode`): name and active flag;
 * a deleted product makes its item inactive.
 */
import type { Systems } from '../../systems/systems.ts';
import type { ApiBudget } from '../budget.ts';
import { readChanges, type ChangedRecord } from '../soql-changes.ts';
import type { SyncDefinition } from '../sync-definition.ts';
import { locateItems, writeItem } from './items.ts';

/** The products sync. */
export function productsSync(systems: Systems, budget: ApiBudget): SyncDefinition<ChangedRecord> {
  return {
    name: 'products',
    description: 'Salesforce Product2 → NetSuite items by SKU (ProductCode): name, active; deletes deactivate',
    cron: '0 * * * *',
    readPage: (cursor, size) => readChanges(systems.salesforce, budget, { object: 'Product2', fields: ['ProductCode', 'Name', 'IsActive'], cursor, size }),
    async write(records) {
      const counts = { written: 0, deleted: 0, skipped: 0 };
      const withSku = records.filter((r) => typeof r['ProductCode'] === 'string' && r['ProductCode'] !== '');
      counts.skipped += records.length - withSku.length;
      const where = await locateItems(systems.netsuite, budget, withSku.map((r) => String(r['ProductCode'])));
      for (const r of withSku) {
        const sku = String(r['ProductCode']);
        if (r.IsDeleted && !where.has(sku)) {
          counts.skipped++;
          continue;
        }
        await writeItem(systems.netsuite, budget, sku, where.get(sku), { displayName: r['Name'], isInactive: r.IsDeleted || r['IsActive'] === false });
        if (r.IsDeleted) counts.deleted++;
        else counts.written++;
      }
      return counts;
    },
  };
}
