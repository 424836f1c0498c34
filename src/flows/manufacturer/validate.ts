/**
 * Validation of a won Dynamics 365 opportunity before it is booked in SAP: the opportunity and
 * its account as canonical Order and Customer (the shipped Dynamics mappings), then the same
 * checks as the first story in this story's terms — a legal entity an SAP sales area sells for,
 * a currency SAP keeps, lines from the opportunity's price list with a product number (the SAP
 * material), an account number (how SAP finds the business partner again) — and the AvaTax
 * estimate. Each problem is a sentence written back to the opportunity.
 */
import type { Customer } from '../../canonical/customer.ts';
import type { Order } from '../../canonical/order.ts';
import type { DynamicsOpportunity } from '../../connectors/dynamics/actions/get-opportunity.ts';
import type { DynamicsRow } from '../../connectors/dynamics/actions/query-records.ts';
import { XrefCache } from '../../mapping/xref.ts';
import { parkedProblems } from '../lead-to-order/canonical.ts';
import { checkTax } from '../lead-to-order/tax.ts';
import type { DealCheck } from '../lead-to-order/validate-deal.ts';
import type { ManufacturerConfig } from './config.ts';
import type { ManufacturerMappers } from './deps.ts';

/** Canonical id of a Dynamics account, as `account-to-customer.yaml` makes it. */
export function customerIdOf(accountId: string): string {
  return `d365-acc-${accountId}`;
}

/** The opportunity's product lines. */
export function linesOf(opportunity: DynamicsOpportunity): DynamicsRow[] {
  return opportunity.opportunityproducts ?? [];
}

/** The canonical Order and Customer of the deal, or what kept them from being made. */
export async function toCanonical(opportunity: DynamicsOpportunity, mappers: Pick<ManufacturerMappers, 'order' | 'customer'>): Promise<{ ok: true; order: Order; customer: Customer } | { ok: false; problems: string[] }> {
  const account = opportunity.customerid_account;
  const accountId = typeof account?.['accountid'] === 'string' ? account['accountid'] : undefined;
  if (account === null || accountId === undefined) return { ok: false, problems: ['The opportunity has no account as its customer: set Potential Customer to an account.'] };
  // The order mapping looks the account up as a canonical customer made from this very account.
  const cache = new XrefCache();
  cache.preload([{ canonicalType: 'customer', canonicalId: customerIdOf(accountId), system: 'dynamics', objectType: 'account', externalId: accountId }]);
  const [orderResult, customerResult] = await Promise.all([
    mappers.order.mapBatch<Order>([opportunity], { cache }),
    mappers.customer.mapBatch<Customer>([account], { cache }),
  ]);
  const problems = parkedProblems([...orderResult.parked, ...customerResult.parked]);
  const order = orderResult.mapped[0]?.output;
  const customer = customerResult.mapped[0]?.output;
  if (order === undefined || customer === undefined) return { ok: false, problems };
  // Tax goes to the customer's billing address; SAP keeps the customer in the deal's currency.
  return {
    ok: true,
    order: customer.billingAddress === undefined ? order : { ...order, billingAddress: customer.billingAddress },
    customer: { ...customer, currency: customer.currency ?? order.currency },
  };
}

/** The selling legal entity: the order's, else its customer's. */
export function legalEntityOf(order: Order, customer: Customer): string | undefined {
  return order.legalEntity ?? customer.legalEntity;
}

/** Problems with the deal's legal entity, currency, price list, products and account number. */
export function checkDeal(opportunity: DynamicsOpportunity, order: Order, customer: Customer, config: ManufacturerConfig): string[] {
  const problems: string[] = [];
  const entities = Object.keys(config.salesAreas).join(', ');
  const entity = legalEntityOf(order, customer);
  if (entity === undefined || config.salesAreas[entity] === undefined) {
    problems.push(`The account's country makes legal entity ${entity ?? '(none)'}, which no SAP sales area sells for: sales areas are set up for ${entities}.`);
  } else if (config.shipFrom[entity] === undefined) {
    problems.push(`Legal entity ${entity} has no ship-from address configured for tax.`);
  }
  if (!config.currencies.includes(order.currency)) problems.push(`Currency ${order.currency} is not kept in SAP: use one of ${config.currencies.join(', ')}.`);
  const number = customer.accountNumber;
  if (number === undefined || number === '') problems.push('The account has no Account Number: SAP finds the business partner by it.');
  else if (number.length > 20) problems.push(`The account number "${number}" is longer than SAP's 20 characters.`);
  const lines = linesOf(opportunity);
  if (lines.length === 0) problems.push('The opportunity has no products: add its product lines.');
  if (lines.length > 0 && typeof opportunity['_pricelevelid_value'] !== 'string') problems.push('The opportunity has no price list: choose one.');
  for (const [i, line] of lines.entries()) {
    const product = line['productid'] as { productnumber?: unknown; name?: unknown } | null;
    const label = `Line ${i + 1} (${typeof product?.name === 'string' ? product.name : String(line['productdescription'] ?? 'write-in product')})`;
    if (line['isproductoverridden'] === true || product === null) problems.push(`${label} is a write-in product: SAP needs a catalogue product (its product number is the material).`);
    else if (typeof product.productnumber !== 'string' || product.productnumber === '') problems.push(`${label} has a product without a Product ID (the SAP material).`);
    if (!(Number(line['quantity']) > 0)) problems.push(`${label} needs a quantity above zero.`);
  }
  return problems;
}

/** The largest line discount in percent: the manual discount against the line's amount before it. */
export function maxDiscountPercent(opportunity: DynamicsOpportunity): number {
  let max = 0;
  for (const line of linesOf(opportunity)) {
    const base = Number(line['baseamount'] ?? 0);
    const discount = Number(line['manualdiscountamount'] ?? 0);
    if (base > 0 && discount > 0) max = Math.max(max, (discount / base) * 100);
  }
  return Math.round(max * 100) / 100;
}

/** Validates the deal; AvaTax is asked only when everything else is right. */
export async function validateManufacturerDeal(
  deps: { avalara: Parameters<typeof checkTax>[0]; mappers: Pick<ManufacturerMappers, 'order' | 'customer'>; config: ManufacturerConfig },
  opportunity: DynamicsOpportunity,
): Promise<DealCheck> {
  const canonical = await toCanonical(opportunity, deps.mappers);
  if (!canonical.ok) return canonical;
  const problems = checkDeal(opportunity, canonical.order, canonical.customer, deps.config);
  const shipFrom = deps.config.shipFrom[legalEntityOf(canonical.order, canonical.customer) ?? ''];
  if (problems.length > 0 || shipFrom === undefined) return { ok: false, problems };
  const tax = await checkTax(deps.avalara, canonical.order, shipFrom);
  if (!tax.ok) return { ok: false, problems: [tax.problem] };
  return { ok: true, order: canonical.order, customer: canonical.customer, estimatedTax: tax.totalTax };
}
