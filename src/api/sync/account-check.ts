/**
 * Account lookup and validation: the Salesforce Account (customer master in the CRM) mapped to
 * the canonical Customer by the same mapping lead-to-order uses, its legal entity mapped to a
 * NetSuite subsidiary, and the NetSuite customer it already is (by external id: the Account Id
 * lead-to-order books with, or the Account's External Id). Problems are sentences a seller can
 * act on; an account NetSuite does not know yet is fine (booking creates it).
 */
import type { Customer } from '../../canonical/customer.ts';
import { recordId, soqlString } from '../../connectors/salesforce/actions/soql.ts';
import { suiteQl } from '../../connectors/netsuite/actions/suiteql-query.ts';
import { notFoundError } from '../../core/errors.ts';
import type { LeadToOrderDeps } from '../../flows/lead-to-order/deps.ts';
import { Budget, combined, fetchWithFallback, recentCopy, type FetchOptions, type Freshness } from './downstream.ts';
import { POLICIES } from './policies.ts';
import type { SyncContext } from './sync-context.ts';

const ACCOUNT_FIELDS = [
  'Id', 'Name', 'AccountNumber', 'Phone', 'Website', 'ParentId', 'CurrencyIsoCode', 'External_Id__c', 'Legal_Entity__c', 'SystemModstamp',
  'BillingStreet', 'BillingCity', 'BillingState', 'BillingPostalCode', 'BillingCountry',
  'ShippingStreet', 'ShippingCity', 'ShippingState', 'ShippingPostalCode', 'ShippingCountry',
].join(', ');

type AccountRecord = Record<string, unknown> & { Id: string; Name: string; External_Id__c?: string | null; Legal_Entity__c?: string | null };

/** The NetSuite customer of an account. */
export interface ErpCustomer {
  id: string;
  entityId: string | null;
  companyName: string | null;
  subsidiaryId: string | null;
  externalId: string | null;
  inactive: boolean;
}

/** What account validation answers. */
export interface AccountCheck {
  accountId: string;
  valid: boolean;
  problems: string[];
  customer: Customer | null;
  legalEntity: { name: string | null; subsidiaryId: string | null };
  erpCustomer: ErpCustomer | null;
  stale: boolean;
  ageSeconds: number;
  ageMs: number;
  staleReason?: string;
  sources: { salesforce: Freshness; netsuite: Freshness };
}

/**
 * Looks the account up in Salesforce and NetSuite (or their copies within the freshness window) and
 * validates it. When both copies are within the window and were judged before, the answer is
 * given synchronously (no promise): the common case at an API's rates.
 */
export function checkAccount(ctx: SyncContext, systems: LeadToOrderDeps, accountId: string, options: FetchOptions = {}): AccountCheck | Promise<AccountCheck> {
  recordId(accountId, 'account id');
  const { downstream } = POLICIES['account-validation'];
  const sf = recentCopy<AccountRecord | null>(ctx, downstream.account, accountId, options);
  if (sf !== undefined && sf.value !== null) {
    const ns = recentCopy<ErpCustomer | null>(ctx, downstream.customer, accountId, options);
    const verdict = ns === undefined ? undefined : judgedBefore(systems, sf.value, ns.value);
    if (ns !== undefined && verdict !== undefined) return answer(accountId, verdict, sf.freshness, ns.freshness);
  }
  return checkAnew(ctx, systems, accountId, options);
}

async function checkAnew(ctx: SyncContext, systems: LeadToOrderDeps, accountId: string, options: FetchOptions): Promise<AccountCheck> {
  const { budgetMs, downstream } = POLICIES['account-validation'];
  const budget = new Budget(ctx.clock, budgetMs);
  const sf = await fetchWithFallback(ctx, downstream.account, budget, accountId, async (timeoutMs) => {
    const res = await systems.salesforce.rest<{ records: AccountRecord[] }>({ method: 'GET', path: 'query', query: { q: `SELECT ${ACCOUNT_FIELDS} FROM Account WHERE Id = ${soqlString(accountId)}` }, timeoutMs });
    return res.body.records[0] ?? null;
  }, options);
  const account = sf.value;
  if (account === null) throw notFoundError(`Salesforce has no Account ${accountId}`, { type: 'account-not-found', details: { accountId } });
  const ids = [account.Id, account.External_Id__c].filter((v): v is string => typeof v === 'string' && v !== '');
  // SuiteQL takes no per-call timeout: the race in fetchWithFallback bounds the wait.
  const ns = await fetchWithFallback(ctx, downstream.customer, budget, accountId, async () => {
    const q = `SELECT id, entityid, companyname, subsidiary, externalid, isinactive FROM customer WHERE externalid IN (${ids.map(soqlString).join(', ')})`;
    const rows = [];
    for await (const row of suiteQl(systems.netsuite, { q, pageSize: 10 })) rows.push(row);
    // The Account Id (what lead-to-order books with) wins over the External Id.
    const row = rows.find((r) => r['externalid'] === account.Id) ?? rows[0];
    return row === undefined ? null : toErpCustomer(row);
  }, options);
  return answer(accountId, judgedBefore(systems, account, ns.value) ?? (await judge(systems, account, ns.value)), sf.freshness, ns.freshness);
}

function answer(accountId: string, verdict: Verdict, salesforce: Freshness, netsuite: Freshness): AccountCheck {
  const freshness = combined([salesforce, netsuite]);
  const check: AccountCheck = {
    accountId,
    valid: verdict.valid,
    problems: verdict.problems,
    customer: verdict.customer,
    legalEntity: verdict.legalEntity,
    erpCustomer: verdict.erpCustomer,
    stale: freshness.stale,
    ageSeconds: freshness.ageSeconds,
    ageMs: freshness.ageMs,
    sources: { salesforce, netsuite },
  };
  if (freshness.reason !== undefined) check.staleReason = freshness.reason;
  return check;
}

type Verdict = Pick<AccountCheck, 'valid' | 'problems' | 'customer' | 'legalEntity' | 'erpCustomer'>;

// A verdict depends on nothing but the two records and the systems' fixed configuration, so the
// copies a freshness window hands out again and again are mapped and judged once (the last pair
// per account copy; a copy no longer referenced takes its verdict with it).
const judged = new WeakMap<LeadToOrderDeps, WeakMap<AccountRecord, { erp: ErpCustomer | null; verdict: Verdict }>>();

// The verdict already reached on this pair of copies, if any.
function judgedBefore(systems: LeadToOrderDeps, account: AccountRecord, erp: ErpCustomer | null): Verdict | undefined {
  const hit = judged.get(systems)?.get(account);
  return hit !== undefined && hit.erp === erp ? hit.verdict : undefined;
}

async function judge(systems: LeadToOrderDeps, account: AccountRecord, erp: ErpCustomer | null): Promise<Verdict> {
  let bySystems = judged.get(systems);
  if (bySystems === undefined) judged.set(systems, (bySystems = new WeakMap()));
  const verdict = await judgeAnew(systems, account, erp);
  bySystems.set(account, { erp, verdict });
  return verdict;
}

async function judgeAnew(systems: LeadToOrderDeps, account: AccountRecord, erp: ErpCustomer | null): Promise<Verdict> {
  const mapped = await systems.mappers.customer.mapBatch<Customer>([{ ...account, attributes: undefined }]);
  const customer = mapped.mapped[0]?.output ?? null;
  const problems = mapped.parked.map((p) => `Account field ${p.field === '' ? '(record)' : p.field} is not usable: ${p.reason.replace(/^.*rule \S+: /, '')}`);
  const entity = account.Legal_Entity__c ?? null;
  const subsidiaryId = entity === null ? null : (systems.config.subsidiaries[entity] ?? null);
  const entities = Object.keys(systems.config.subsidiaries).join(', ');
  if (entity === null || entity === '') problems.push(`Account has no Legal Entity: set it to one of ${entities}.`);
  else if (subsidiaryId === null) problems.push(`Account Legal Entity "${entity}" is not a NetSuite subsidiary: use one of ${entities}.`);
  if (customer !== null && customer.billingAddress?.country === undefined) problems.push('Account has no billing country: tax cannot be calculated.');
  if (customer?.currency !== undefined && systems.config.currencies[customer.currency] === undefined) {
    problems.push(`Currency ${customer.currency} is not set up in NetSuite: use one of ${Object.keys(systems.config.currencies).join(', ')}.`);
  }
  if (erp?.inactive === true) problems.push(`NetSuite customer ${erp.entityId ?? erp.id} is inactive.`);
  if (erp !== null && subsidiaryId !== null && erp.subsidiaryId !== null && erp.subsidiaryId !== subsidiaryId) {
    problems.push(`NetSuite customer ${erp.entityId ?? erp.id} belongs to subsidiary ${erp.subsidiaryId}, but Legal Entity "${entity}" maps to ${subsidiaryId}.`);
  }
  return { valid: problems.length === 0, problems, customer, legalEntity: { name: entity, subsidiaryId }, erpCustomer: erp };
}

function toErpCustomer(row: Record<string, string | undefined>): ErpCustomer {
  return {
    id: row['id'] ?? '',
    entityId: row['entityid'] ?? null,
    companyName: row['companyname'] ?? null,
    subsidiaryId: row['subsidiary'] ?? null,
    externalId: row['externalid'] ?? null,
    inactive: row['isinactive'] === 'T' || row['isinactive'] === 'true',
  };
}
