/**
 * The idempotent commands that put a Salesforce Account into the other systems: upsert the
 * NetSuite customer by external id (the Account Id, as lead-to-order books it), and find or
 * create the Stripe customer linked by `metadata.salesforce_account_id`. The customers sync and
 * the customers reconciliation's heals both replay these, so they agree on what "in step" means.
 */
import { upsertCustomer, type CustomerFields } from '../../connectors/netsuite/actions/upsert-customer.ts';
import { queryRecords } from '../../connectors/salesforce/actions/query-records.ts';
import { recordId } from '../../connectors/salesforce/actions/soql.ts';
import { createCustomer, SALESFORCE_ACCOUNT_KEY } from '../../connectors/stripe/actions/create-customer.ts';
import { findCustomerByMetadata } from '../../connectors/stripe/actions/find-customer.ts';
import type { StripeCustomer } from '../../connectors/stripe/types.ts';
import { notFoundError } from '../../core/errors.ts';
import { customerIdOf } from '../../flows/lead-to-order/canonical.ts';
import type { LeadToOrderConfig } from '../../flows/lead-to-order/config.ts';
import type { Systems } from './systems.ts';

/** The Account fields the commands need. */
export type AccountRow = {
  Id: string;
  Name: string;
  Legal_Entity__c?: string | null;
  CurrencyIsoCode?: string | null;
  IsDeleted?: boolean;
  SystemModstamp?: string;
};

/** The Account columns to select. */
export const ACCOUNT_COLUMNS = 'Id, Name, Legal_Entity__c, CurrencyIsoCode, SystemModstamp';

/** Reads one Account. */
export async function getAccount(systems: Systems, accountId: string): Promise<AccountRow> {
  for await (const row of queryRecords<AccountRow>(systems.salesforce, { soql: `SELECT ${ACCOUNT_COLUMNS} FROM Account WHERE Id = '${recordId(accountId, 'Account id')}'` })) return row;
  throw notFoundError(`no Salesforce Account ${accountId}`);
}

/** The NetSuite customer fields of an Account. */
export function netSuiteCustomerFields(account: AccountRow, config: LeadToOrderConfig): CustomerFields {
  const subsidiary = config.subsidiaries[account.Legal_Entity__c ?? ''];
  const currency = config.currencies[account.CurrencyIsoCode ?? ''];
  return {
    companyName: account.Name,
    isInactive: account.IsDeleted === true,
    ...(subsidiary === undefined ? {} : { subsidiary: { id: subsidiary } }),
    ...(currency === undefined ? {} : { currency: { id: currency } }),
  };
}

/** Upserts the Account's NetSuite customer (inactive when the Account was deleted). */
export async function upsertNetSuiteCustomer(systems: Systems, account: AccountRow): Promise<{ id: string }> {
  return upsertCustomer(systems.netsuite, { externalId: account.Id, fields: netSuiteCustomerFields(account, systems.config) });
}

/** The Account's Stripe customer, found by its link or created once (by idempotency key). */
export async function ensureStripeCustomer(systems: Systems, account: AccountRow): Promise<{ id: string; created: boolean }> {
  const found = await findCustomerByMetadata(systems.stripe, SALESFORCE_ACCOUNT_KEY, account.Id);
  if (found !== undefined) return { id: found.id, created: false };
  const made = await createCustomer(systems.stripe, {
    canonicalCustomerId: customerIdOf(account.Id),
    salesforceAccountId: account.Id,
    name: account.Name,
    idempotencyKey: `interlock-customer:${account.Id}`,
  });
  return { id: made.id, created: true };
}

/** Sets the Stripe customer's name to the Account's (a repeat with the same name is replayed). */
export async function renameStripeCustomer(systems: Systems, customerId: string, name: string): Promise<{ id: string }> {
  const key = `interlock-rename:${customerId}:${Buffer.from(name).toString('base64url').slice(0, 180)}`;
  const customer = await systems.stripe.post<StripeCustomer>(`customers/${customerId}`, { name }, key);
  return { id: customer.id };
}
