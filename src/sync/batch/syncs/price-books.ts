/**
 * `price-books`: the standard Salesforce price book → NetSuite item base prices by SKU. Only
 * entries of the standard book in the base currency are written (NetSuite's `basePrice` is one
 * number); other books and currencies are counted as skipped.
 */
import type { Systems } from '../../systems/systems.ts';
import type { ApiBudget } from '../budget.ts';
import { readChanges, type ChangedRecord } from '../soql-changes.ts';
import type { SyncDefinition } from '../sync-definition.ts';
import { locateItems, writeItem } from './items.ts';

/** The price books sync; `currency` is NetSuite's base currency. */
export function priceBooksSync(systems: Systems, budget: ApiBudget, currency = 'USD'): SyncDefinition<ChangedRecord> {
  return {
    name: 'price-books',
    description: `standard Salesforce price book (${currency}) → NetSuite item base price by SKU`,
    cron: '0 * * * *',
    readPage: (cursor, size) =>
      readChanges(systems.salesforce, budget, { object: 'PricebookEntry', fields: ['UnitPrice', 'CurrencyIsoCode', 'IsActive', 'Pricebook2.IsStandard', 'Product2.ProductCode'], cursor, size }),
    async write(records) {
      const counts = { written: 0, deleted: 0, skipped: 0 };
      const skuOf = (r: ChangedRecord) => (r['Product2'] as { ProductCode?: string } | null)?.ProductCode ?? '';
      const standard = records.filter((r) => !r.IsDeleted && (r['Pricebook2'] as { IsStandard?: boolean } | null)?.IsStandard === true && r['CurrencyIsoCode'] === currency && skuOf(r) !== '');
      counts.skipped += records.length - standard.length;
      const where = await locateItems(systems.netsuite, budget, standard.map(skuOf));
      for (const r of standard) {
        const sku = skuOf(r);
        if (!where.has(sku)) {
          // The products sync makes the item; a price alone does not.
          counts.skipped++;
          continue;
        }
        await writeItem(systems.netsuite, budget, sku, where.get(sku), { basePrice: r['UnitPrice'] });
        counts.written++;
      }
      return counts;
    },
  };
}
