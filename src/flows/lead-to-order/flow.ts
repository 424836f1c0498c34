/**
 * Lead-to-order: a Closed Won opportunity becomes a NetSuite customer and sales order and, for
 * its recurring lines, a Stripe subscription, with the outcome written back to Salesforce.
 *
 * Read → validate (written back and waited on until fixed) → approval above the discount
 * threshold → NetSuite customer → sales order → Stripe customer, prices, subscription →
 * write-back. A permanent failure after booking began closes the order, cancels the
 * subscription and flags the opportunity (the compensations, in reverse order).
 */
import { OPPORTUNITY_CLOSED_WON } from '../../connectors/kit/closed-won-event.ts';
import { getOpportunity } from '../../connectors/salesforce/actions/get-opportunity.ts';
import type { OpportunityWithLines } from '../../connectors/salesforce/actions/get-opportunity.ts';
import { defineFlow } from '../define-flow.ts';
import type { FlowContext, FlowDefinition, StepRetryPolicy } from '../define-flow.ts';
import type { LeadToOrderDeps } from './deps.ts';
import { bookSalesOrder, cancelSalesOrder, upsertNetSuiteCustomer } from './netsuite-steps.ts';
import { ensureStripeCustomer, recurringItems, subscribe, unsubscribe } from './stripe-steps.ts';
import { validateDeal } from './validate-deal.ts';
import type { DealCheck } from './validate-deal.ts';
import { isRecurring, linesOf, maxDiscountPercent, problemText } from './validate.ts';
import { INTEGRATION_STATUS, reportStatus, reportSynced } from './write-back.ts';

/** The flow's name. */
export const LEAD_TO_ORDER_FLOW = 'lead-to-order';

/**
 * The event that starts a run, and resumes one waiting for a fix: `{type, opportunityId}`. The
 * Salesforce CDC consumer emits it when an Opportunity's StageName becomes Closed Won (or changes
 * again while the deal is in error).
 */
export const CLOSED_WON_EVENT = OPPORTUNITY_CLOSED_WON;

/** Options of {@link leadToOrderFlow}. */
export interface LeadToOrderFlowOptions {
  /** @default 'lead-to-order' */
  name?: string;
  /** @default 1 */
  version?: number;
  /** @default 8 attempts, 1 s doubling to 60 s */
  retry?: Partial<StepRetryPolicy>;
  /** Rounds of "write the problems back, wait for a fix" before the run gives up. @default 20 */
  maxFixes?: number;
}

/** How a run ended. */
export interface LeadToOrderResult {
  status: 'synced' | 'already-synced' | 'not-closed-won' | 'rejected' | 'invalid';
  opportunityId: string;
  netSuiteOrderId?: string;
  netSuiteOrderNumber?: string;
  stripeCustomerId?: string | null;
  stripeSubscriptionId?: string | null;
  problems?: string[];
}

type ValidDeal = Extract<DealCheck, { ok: true }> & { opportunity: OpportunityWithLines };

/** The flow, calling the systems through `deps`. Started with business key = the Opportunity Id. */
export function leadToOrderFlow(deps: LeadToOrderDeps, options: LeadToOrderFlowOptions = {}): FlowDefinition {
  return defineFlow<unknown, LeadToOrderResult>({
    name: options.name ?? LEAD_TO_ORDER_FLOW,
    version: options.version ?? 1,
    concurrency: 'attach',
    trigger: { source: 'salesforce', type: CLOSED_WON_EVENT, key: 'opportunityId' },
    retry: { maxAttempts: 8, ...options.retry },
    async run(ctx) {
      const opportunityId = ctx.key;
      const valid = await readValidDeal(ctx, deps, options.maxFixes ?? 20);
      if (!('opportunity' in valid)) return valid;
      const { opportunity, order, customer } = valid;
      const threshold = deps.config.discountApprovalThresholdPercent;
      const discount = maxDiscountPercent(opportunity);
      if (discount > threshold) {
        const text = `Discount ${discount}% is above the ${threshold}% that needs no approval: waiting for approval.`;
        await ctx.step.run('report-awaiting-approval', () => reportStatus(deps.salesforce, opportunityId, INTEGRATION_STATUS.awaitingApproval, text));
        const decision = await ctx.step.approval('discount-approval', { opportunityId, name: opportunity.Name, discountPercent: discount, thresholdPercent: threshold, amount: opportunity.Amount });
        if (!decision.approved) {
          const why = `Discount ${discount}% was rejected by ${decision.by}${decision.reason === null ? '' : `: ${decision.reason}`}.`;
          await ctx.step.run('report-rejected', () => reportStatus(deps.salesforce, opportunityId, INTEGRATION_STATUS.rejected, why));
          return { status: 'rejected', opportunityId };
        }
      }
      await ctx.step.run('report-in-progress', () => reportStatus(deps.salesforce, opportunityId, INTEGRATION_STATUS.inProgress, null), {
        compensate: () =>
          reportStatus(deps.salesforce, opportunityId, INTEGRATION_STATUS.failed, `Booking failed; what was already made in NetSuite and Stripe has been cancelled. Interlock run ${ctx.runId} has the cause.`),
      });
      const netSuiteCustomerId = await ctx.step.run('netsuite-customer', () => upsertNetSuiteCustomer(deps.netsuite, opportunity, customer, deps.config));
      const salesOrder = await ctx.step.run('netsuite-sales-order', () => bookSalesOrder(deps.netsuite, opportunity, order, netSuiteCustomerId, deps.config), {
        compensate: (booked) => cancelSalesOrder(deps.netsuite, booked, `opportunity ${opportunityId} could not be completed (run ${ctx.runId})`),
      });
      let stripeCustomerId: string | null = null;
      let stripeSubscriptionId: string | null = null;
      if (linesOf(opportunity).some(isRecurring)) {
        const currency = order.currency.toLowerCase();
        const cus = await ctx.step.run('stripe-customer', () => ensureStripeCustomer(deps.stripe, opportunity, customer));
        const items = await ctx.step.run('stripe-prices', () => recurringItems(deps.stripe, opportunity, currency, deps.config));
        const sub = await ctx.step.run(
          'stripe-subscription',
          (s) => subscribe(deps.stripe, { customerId: cus, items, opportunityId, salesOrder: salesOrder.tranId, idempotencyKey: s.idempotencyKey }),
          { compensate: (booked) => unsubscribe(deps.stripe, booked) },
        );
        stripeCustomerId = cus;
        stripeSubscriptionId = sub.id;
      }
      await ctx.step.run('write-back', () => reportSynced(deps.salesforce, { opportunityId, netSuiteOrderNumber: salesOrder.tranId, stripeCustomerId, stripeSubscriptionId }));
      return { status: 'synced', opportunityId, netSuiteOrderId: salesOrder.id, netSuiteOrderNumber: salesOrder.tranId, stripeCustomerId, stripeSubscriptionId };
    },
  }) as FlowDefinition;
}

/**
 * Reads and validates the deal; while it is invalid, writes the problems back and waits for the
 * next closed-won event of the opportunity (the salesperson's fix), then reads it again.
 */
async function readValidDeal(ctx: FlowContext<unknown>, deps: LeadToOrderDeps, maxFixes: number): Promise<ValidDeal | LeadToOrderResult> {
  const opportunityId = ctx.key;
  let problems: string[] = [];
  for (let round = 1; round <= maxFixes + 1; round++) {
    const suffix = round === 1 ? '' : `#${round}`;
    const opportunity = await ctx.step.run(`read-opportunity${suffix}`, () => getOpportunity(deps.salesforce, { opportunityId }));
    if (opportunity.StageName !== 'Closed Won') return { status: 'not-closed-won', opportunityId };
    // A deal an earlier run booked is done: a repeated trigger must not book it again.
    if (opportunity.Integration_Status__c === INTEGRATION_STATUS.synced) {
      return { status: 'already-synced', opportunityId, netSuiteOrderNumber: opportunity.NetSuite_Order_Number__c ?? '', stripeSubscriptionId: opportunity.Stripe_Subscription_Id__c ?? null };
    }
    const check = await ctx.step.run(`validate${suffix}`, () => validateDeal(deps, opportunity));
    if (check.ok) return { ...check, opportunity };
    problems = check.problems;
    await ctx.step.run(`report-invalid${suffix}`, () => reportStatus(deps.salesforce, opportunityId, INTEGRATION_STATUS.error, problemText(problems)));
    if (round > maxFixes) break;
    await ctx.step.waitForEvent(`await-fix${suffix}`, { type: CLOSED_WON_EVENT, match: { opportunityId } });
  }
  return { status: 'invalid', opportunityId, problems };
}
