/**
 * The validation step: the opportunity as canonical Order and Customer, the deal checks, and the
 * tax estimate, giving either what booking needs or the list of problems to write back.
 */
import type { Customer } from '../../canonical/customer.ts';
import type { Order } from '../../canonical/order.ts';
import type { OpportunityWithLines } from '../../connectors/salesforce/actions/get-opportunity.ts';
import { toCanonical } from './canonical.ts';
import type { LeadToOrderDeps } from './deps.ts';
import { checkTax } from './tax.ts';
import { checkDeal } from './validate.ts';

/** A valid deal in canonical form with its estimated tax, or its problems. */
export type DealCheck = { ok: true; order: Order; customer: Customer; estimatedTax: number } | { ok: false; problems: string[] };

/** Validates the deal; AvaTax is asked only when everything else is right. */
export async function validateDeal(deps: Pick<LeadToOrderDeps, 'avalara' | 'mappers' | 'config'>, opportunity: OpportunityWithLines): Promise<DealCheck> {
  const canonical = await toCanonical(opportunity, deps.mappers);
  if (!canonical.ok) return { ok: false, problems: canonical.problems };
  const problems = checkDeal(opportunity, canonical.order, deps.config);
  const shipFrom = deps.config.shipFrom[opportunity.Account?.Legal_Entity__c ?? ''];
  if (problems.length > 0 || shipFrom === undefined) return { ok: false, problems };
  const tax = await checkTax(deps.avalara, canonical.order, shipFrom);
  if (!tax.ok) return { ok: false, problems: [tax.problem] };
  return { ok: true, order: canonical.order, customer: canonical.customer, estimatedTax: tax.totalTax };
}
