/**
 * `customers`: Salesforce Accounts of type Customer → NetSuite customers, upserted by external id
 * (the Account Id, as lead-to-order books them). A deleted Account makes its customer inactive
 * (NetSuite keeps customers that transactions use; inactive is how it retires them).
 */
import { InterlockError } from '../../../core/errors.ts';
import { recordPath } from '../../../connectors/netsuite/actions/records.ts';
import { upsertNetSuiteCustomer, type AccountRow } from '../../systems/account-commands.ts';
import type { Systems } from '../../systems/systems.ts';
import type { ApiBudget } from '../budget.ts';
import { readChanges, type ChangedRecord } from '../soql-changes.ts';
import type { SyncDefinition } from '../sync-definition.ts';

async function retire(systems: Systems, budget: ApiBudget, accountId: string): Promise<boolean> {
  try {
    await budget.call('netsuite', () => systems.netsuite.rest({ method: 'PATCH', path: recordPath('customer', { externalId: accountId }), json: { isInactive: true } }));
    return true;
  } catch (err) {
    // Never synced: nothing to retire.
    if (err instanceof InterlockError && err.code === 'not-found') return false;
    throw err;
  }
}

/** The customers sync. */
export function customersSync(systems: Systems, budget: ApiBudget): SyncDefinition<ChangedRecord> {
  return {
    name: 'customers',
    description: 'Salesforce Accounts (Type = Customer) → NetSuite customers by external id; deletes retire the customer',
    cron: '*/15 * * * *',
    readPage: (cursor, size) =>
      readChanges(systems.salesforce, budget, { object: 'Account', fields: ['Name', 'Legal_Entity__c', 'CurrencyIsoCode'], where: "Type = 'Customer'", cursor, size }),
    async write(records) {
      const counts = { written: 0, deleted: 0, skipped: 0 };
      for (const r of records) {
        if (r.IsDeleted) {
          if (await retire(systems, budget, r.Id)) counts.deleted++;
          else counts.skipped++;
          continue;
        }
        await budget.call('netsuite', () => upsertNetSuiteCustomer(systems, r as unknown as AccountRow));
        counts.written++;
      }
      return counts;
    },
  };
}
