/**
 * The q2c baseline: lead-to-order "by hand" — the flow's own step functions called one after
 * another for one deal after another, with no engine, no journal and no store. It makes the same
 * vendor calls the flow makes for a valid deal that needs no approval, so the ratio is the price
 * (or the gain) of running them durably and concurrently.
 */
import { getOpportunity } from '../../src/connectors/salesforce/actions/get-opportunity.ts';
import type { LeadToOrderDeps } from '../../src/flows/lead-to-order/deps.ts';
import { bookSalesOrder, upsertNetSuiteCustomer } from '../../src/flows/lead-to-order/netsuite-steps.ts';
import { ensureStripeCustomer, recurringItems, subscribe } from '../../src/flows/lead-to-order/stripe-steps.ts';
import { validateDeal } from '../../src/flows/lead-to-order/validate-deal.ts';
import { isRecurring, linesOf } from '../../src/flows/lead-to-order/validate.ts';
import { INTEGRATION_STATUS, reportStatus, reportSynced } from '../../src/flows/lead-to-order/write-back.ts';

/** Books one closed-won deal as the flow would, step after step; throws when it cannot. */
export async function bookByHand(deps: LeadToOrderDeps, opportunityId: string): Promise<void> {
  const opportunity = await getOpportunity(deps.salesforce, { opportunityId });
  const check = await validateDeal(deps, opportunity);
  if (!check.ok) throw new Error(`baseline: opportunity ${opportunityId} is not valid: ${check.problems.join(' ')}`);
  await reportStatus(deps.salesforce, opportunityId, INTEGRATION_STATUS.inProgress, null);
  const netSuiteCustomerId = await upsertNetSuiteCustomer(deps.netsuite, opportunity, check.customer, deps.config);
  const salesOrder = await bookSalesOrder(deps.netsuite, opportunity, check.order, netSuiteCustomerId, deps.config);
  let stripeCustomerId: string | null = null;
  let stripeSubscriptionId: string | null = null;
  if (linesOf(opportunity).some(isRecurring)) {
    const key = `q2c-baseline-${opportunityId}`;
    stripeCustomerId = await ensureStripeCustomer(deps.stripe, opportunity, check.customer);
    const items = await recurringItems(deps.stripe, opportunity, check.order.currency.toLowerCase(), deps.config);
    const sub = await subscribe(deps.stripe, { customerId: stripeCustomerId, items, opportunityId, salesOrder: salesOrder.tranId, idempotencyKey: `${key}-subscription` });
    stripeSubscriptionId = sub.id;
  }
  // As the flow does: the account's first deal records its Stripe customer on the Account.
  const accountId = opportunity.AccountId !== null && opportunity.Account !== null && !opportunity.Account.Stripe_Customer_Id__c ? opportunity.AccountId : undefined;
  await reportSynced(deps.salesforce, { opportunityId, netSuiteOrderNumber: salesOrder.tranId, stripeCustomerId, stripeSubscriptionId, accountId });
}
