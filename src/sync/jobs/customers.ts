/**
 * `customers`: Salesforce Accounts of type Customer ↔ NetSuite customers (external id = Account
 * Id) ↔ Stripe customers (`metadata.salesforce_account_id`), compared on name. Missing customers
 * and renamed ones heal by the customers sync's own commands, safely by default.
 */
import { suiteQl } from '../../connectors/netsuite/actions/suiteql-query.ts';
import { queryRecords } from '../../connectors/salesforce/actions/query-records.ts';
import { SALESFORCE_ACCOUNT_KEY } from '../../connectors/stripe/actions/create-customer.ts';
import type { StripeCustomer } from '../../connectors/stripe/types.ts';
import type { Discrepancy } from '../reconcile/discrepancy.ts';
import type { HealCommand } from '../reconcile/heal.ts';
import type { Projection } from '../reconcile/projection.ts';
import { ensureStripeCustomer, getAccount, renameStripeCustomer, upsertNetSuiteCustomer } from '../systems/account-commands.ts';
import type { Systems } from '../systems/systems.ts';
import { type JobDefinition } from './job.ts';

async function* salesforceAccounts(systems: Systems): AsyncGenerator<Projection> {
  for await (const a of queryRecords<{ Id: string; Name: string }>(systems.salesforce, { soql: "SELECT Id, Name FROM Account WHERE Type = 'Customer'" })) {
    yield { key: a.Id, id: a.Id, fields: { name: a.Name } };
  }
}

async function* netSuiteCustomers(systems: Systems): AsyncGenerator<Projection> {
  const q = "SELECT id, companyname, externalid FROM customer WHERE externalid IS NOT NULL AND isinactive = 'F'";
  for await (const c of suiteQl(systems.netsuite, { q })) {
    yield { key: c['externalid'] ?? '', id: c['id'] ?? '', fields: { name: c['companyname'] ?? null } };
  }
}

async function* stripeCustomers(systems: Systems): AsyncGenerator<Projection> {
  for await (const c of systems.stripe.list<StripeCustomer>('customers')) {
    const key = c.metadata[SALESFORCE_ACCOUNT_KEY];
    // A customer without the link was not made by the integration: out of scope, not an orphan.
    if (key !== undefined && key !== '') yield { key, id: c.id, fields: { name: c.name ?? null } };
  }
}

function plan(systems: Systems, d: Discrepancy): HealCommand | undefined {
  if (d.kind === 'missing' && d.system === 'netsuite') {
    return { name: 'netsuite.upsert-customer', run: async () => ({ ...(await upsertNetSuiteCustomer(systems, await getAccount(systems, d.key))), externalId: d.key }) };
  }
  if (d.kind === 'missing' && d.system === 'stripe') {
    return { name: 'stripe.find-or-create-customer', run: async () => ensureStripeCustomer(systems, await getAccount(systems, d.key)) };
  }
  if (d.kind === 'field-drift' && d.system === 'netsuite') {
    return { name: 'netsuite.upsert-customer', run: async () => upsertNetSuiteCustomer(systems, await getAccount(systems, d.key)) };
  }
  const target = d.recordIds[0];
  if (d.kind === 'field-drift' && d.system === 'stripe' && target !== undefined) {
    return { name: 'stripe.update-customer', run: async () => renameStripeCustomer(systems, target, (await getAccount(systems, d.key)).Name) };
  }
  return undefined;
}

/** The customers job. */
export const customersJob: JobDefinition = {
  name: 'customers',
  description: 'Salesforce Accounts (Type = Customer) ↔ NetSuite customers ↔ Stripe customers, by Account Id',
  safe: ['missing', 'field-drift'],
  build: (systems) => ({
    job: {
      name: 'customers',
      description: customersJob.description,
      sides: [
        { system: 'salesforce', read: () => salesforceAccounts(systems) },
        { system: 'netsuite', read: () => netSuiteCustomers(systems) },
        { system: 'stripe', read: () => stripeCustomers(systems) },
      ],
      fields: [{ field: 'name', kind: 'field' }],
    },
    plan: (d) => plan(systems, d),
  }),
};
