/**
 * The opportunity as canonical objects: the Order (with lines) and the Customer (its Account),
 * through the shipped Salesforce mappings. Mapping refusals become readable problems for the
 * salesperson rather than failures of the run.
 */
import type { Customer } from '../../canonical/customer.ts';
import type { Order } from '../../canonical/order.ts';
import type { OpportunityWithLines } from '../../connectors/salesforce/actions/get-opportunity.ts';
import type { ParkedRecord } from '../../mapping/mapper.ts';
import { XrefCache } from '../../mapping/xref.ts';
import { inSpan } from '../../observability/tracing.ts';
import type { LeadToOrderMappers } from './deps.ts';

/** The canonical view of a deal, or why it could not be made. */
export type CanonicalDeal = { ok: true; order: Order; customer: Customer } | { ok: false; problems: string[] };

/** Canonical id of an Account, as `account-to-customer.yaml` makes it. */
export function customerIdOf(accountId: string): string {
  return `sfdc-acc-${accountId}`;
}

/** Maps `opportunity` and its Account to canonical form. */
export async function toCanonical(opportunity: OpportunityWithLines, mappers: LeadToOrderMappers): Promise<CanonicalDeal> {
  const account = opportunity.Account;
  if (account === null || opportunity.AccountId === null) return { ok: false, problems: ['The opportunity has no account: set Account.'] };
  // The order mapping looks the account up as a canonical customer; the customer is made from
  // this very account, so the link is known without asking the cross-reference table.
  const cache = new XrefCache();
  cache.preload([{ canonicalType: 'customer', canonicalId: customerIdOf(account.Id), system: 'salesforce', objectType: 'Account', externalId: account.Id }]);
  // The mapping numbers lines by SortOrder, which Salesforce leaves empty unless a user sorts them.
  const records = (opportunity.OpportunityLineItems?.records ?? []).map((line, i) => ({ ...line, SortOrder: line.SortOrder ?? i + 1 }));
  const source = { ...opportunity, OpportunityLineItems: { totalSize: records.length, done: true, records } };
  const [orderResult, customerResult] = await Promise.all([
    inSpan('mapping opportunity-to-order', { attributes: { 'interlock.mapping': 'opportunity-to-order' } }, () => mappers.order.mapBatch<Order>([source], { cache })),
    inSpan('mapping account-to-customer', { attributes: { 'interlock.mapping': 'account-to-customer' } }, () => mappers.customer.mapBatch<Customer>([{ ...account, attributes: undefined }], { cache })),
  ]);
  const problems = parkedProblems([...orderResult.parked, ...customerResult.parked]);
  const order = orderResult.mapped[0]?.output;
  const customer = customerResult.mapped[0]?.output;
  if (order === undefined || customer === undefined) return { ok: false, problems };
  // Tax is calculated to the customer's billing address, which the Opportunity does not carry.
  const withAddress: Order = customer.billingAddress === undefined ? order : { ...order, billingAddress: customer.billingAddress };
  return { ok: true, order: withAddress, customer };
}

/**
 * What a person must fix, one sentence per record the order or customer mapping parked: the
 * field and rule, then the message (the parked reason repeats mapping, record and rule first).
 */
export function parkedProblems(parked: readonly ParkedRecord[]): string[] {
  return parked.map((p) => {
    const marker = `rule ${p.rule}: `;
    const at = p.reason.indexOf(marker);
    const message = at < 0 ? p.reason : p.reason.slice(at + marker.length);
    const what = p.mapping.endsWith('account-to-customer') ? 'Account' : 'Opportunity';
    return `${what} field ${p.field === '' ? '(record)' : p.field} is not usable (${p.rule}): ${message}`;
  });
}
