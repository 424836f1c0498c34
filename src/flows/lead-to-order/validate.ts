/**
 * The checks a closed-won deal must pass before anything is booked: a legal entity NetSuite
 * sells from, a currency NetSuite keeps, lines that come from the opportunity's price book, and
 * recurring lines Stripe can bill in one subscription. Each problem is a sentence a salesperson
 * can act on, because it is written back to the opportunity.
 */
import type { Order } from '../../canonical/order.ts';
import type { OpportunityLine, OpportunityWithLines } from '../../connectors/salesforce/actions/get-opportunity.ts';
import type { LeadToOrderConfig } from './config.ts';

/** Whether a line is billed again and again (Stripe) rather than once. */
export function isRecurring(line: OpportunityLine): boolean {
  return line.Product2?.Recurring__c === true;
}

/** The lines of an opportunity. */
export function linesOf(opportunity: OpportunityWithLines): OpportunityLine[] {
  return opportunity.OpportunityLineItems?.records ?? [];
}

/** Problems with the deal's legal entity, currency, price book and billing frequencies. */
export function checkDeal(opportunity: OpportunityWithLines, order: Order, config: LeadToOrderConfig): string[] {
  const problems: string[] = [];
  const entity = opportunity.Account?.Legal_Entity__c ?? null;
  const entities = Object.keys(config.subsidiaries).join(', ');
  if (entity === null || entity === '') problems.push(`Account has no Legal Entity: set it to one of ${entities}.`);
  else if (config.subsidiaries[entity] === undefined) problems.push(`Account Legal Entity "${entity}" is not a NetSuite subsidiary: use one of ${entities}.`);
  else if (config.shipFrom[entity] === undefined) problems.push(`Legal Entity "${entity}" has no ship-from address configured for tax.`);
  if (config.currencies[order.currency] === undefined) {
    problems.push(`Currency ${order.currency} is not set up in NetSuite: use one of ${Object.keys(config.currencies).join(', ')}.`);
  }
  const lines = linesOf(opportunity);
  if (lines.length === 0) problems.push('The opportunity has no products: add its line items.');
  if (lines.length > 0 && (opportunity.Pricebook2Id ?? null) === null) problems.push('The opportunity has no price book: choose one.');
  for (const [i, line] of lines.entries()) {
    const label = `Line ${i + 1} (${line.Product2?.Name ?? line.Product2Id ?? 'no product'})`;
    if (line.PricebookEntryId === null) problems.push(`${label} is not from the opportunity's price book: re-add it from the price book.`);
    if ((line.Product2?.ProductCode ?? null) === null || line.Product2?.ProductCode === '') problems.push(`${label} has a product without a Product Code (the NetSuite item).`);
    if (line.UnitPrice === null) problems.push(`${label} has no sales price.`);
    if (line.ListPrice !== undefined && line.ListPrice !== null && line.UnitPrice !== null && line.UnitPrice > line.ListPrice) {
      problems.push(`${label} sells at ${line.UnitPrice}, above its list price ${line.ListPrice}: price-book prices are the ceiling.`);
    }
  }
  const recurring = lines.filter(isRecurring);
  const frequencies = new Set(recurring.map((l) => l.Billing_Frequency__c ?? ''));
  for (const f of frequencies) {
    if (config.intervals[f] === undefined) {
      problems.push(`Billing Frequency "${f}" of a recurring line is not one of ${Object.keys(config.intervals).join(', ')}.`);
    }
  }
  if (frequencies.size > 1) {
    problems.push(`Recurring lines bill ${[...frequencies].sort().join(' and ')}: one subscription bills at one frequency, so give every recurring line the same Billing Frequency.`);
  }
  return problems;
}

/** The largest line discount of the deal in percent: the Discount field, or below list price. */
export function maxDiscountPercent(opportunity: OpportunityWithLines): number {
  let max = 0;
  for (const line of linesOf(opportunity)) {
    max = Math.max(max, line.Discount ?? 0);
    if (line.ListPrice !== undefined && line.ListPrice !== null && line.ListPrice > 0 && line.UnitPrice !== null) {
      max = Math.max(max, ((line.ListPrice - line.UnitPrice) / line.ListPrice) * 100);
    }
  }
  return Math.round(max * 100) / 100;
}

/** The problems as the text written to `Integration_Error__c`. */
export function problemText(problems: readonly string[]): string {
  return problems.map((p, i) => `${i + 1}. ${p}`).join('\n');
}
