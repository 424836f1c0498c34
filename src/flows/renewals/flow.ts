/**
 * Renewals and amendments: Stripe's `customer.subscription.updated` and `.deleted` flow back to
 * the deal. A renewal (the period moved on) becomes a renewal opportunity in Salesforce, one per
 * period, and extends the NetSuite sales order's term; an amendment (items, quantities or prices
 * changed) becomes an amendment opportunity and the sales order's lines follow the subscription;
 * every applied event writes the subscription's status onto the original opportunity and the
 * order (so a deletion shows `canceled` in both). Runs are keyed by the subscription and queued,
 * so its events apply one at a time; an event older than the last applied one (out of order, or
 * late) is skipped with a record (`check-stale`).
 */
import { retrieveSubscription } from '../../connectors/stripe/actions/retrieve-subscription.ts';
import type { Store } from '../../store/store.ts';
import { defineFlow } from '../define-flow.ts';
import type { FlowDefinition, StepRetryPolicy } from '../define-flow.ts';
import type { LeadToOrderDeps } from '../lead-to-order/deps.ts';
import { AppliedVersions } from '../stripe-events/applied-versions.ts';
import { opportunityOfSubscription } from '../stripe-events/links.ts';
import { checkStale, recordApplied, skippedStale, stripeEventOf } from '../stripe-events/stale-guard.ts';
import type { SkippedStale } from '../stripe-events/stale-guard.ts';
import { itemTerms, subscriptionChange } from './change.ts';
import { amendSalesOrder, markSalesOrderStatus, renewSalesOrder } from './netsuite-steps.ts';
import { readOriginalDeal, reportSubscriptionStatus, upsertAmendment, upsertRenewal } from './salesforce-steps.ts';

/** The flow's name. */
export const RENEWALS_FLOW = 'renewals';

/** The Stripe event types that start a run. */
export const SUBSCRIPTION_CHANGE_TYPES = ['customer.subscription.updated', 'customer.subscription.deleted'] as const;

/** Options of {@link renewalsFlow}. */
export interface RenewalsFlowOptions {
  /** Where the last applied version of each subscription is kept (the store the runs are in). */
  store: Store;
  /** @default 'renewals' */
  name?: string;
  /** @default 1 */
  version?: number;
  /** @default 8 attempts, 1 s doubling to 60 s */
  retry?: Partial<StepRetryPolicy>;
}

/** A run that applied its event. */
export interface RenewalsApplied {
  status: 'applied';
  subscriptionId: string;
  opportunityId: string;
  subscriptionStatus: string;
  /** What the event was: any of `renewal`, `amendment`, `ended`, `status`. */
  changes: string[];
  renewalOpportunityId?: string;
  amendmentOpportunityId?: string;
}

/** How a run ended. */
export type RenewalsResult = RenewalsApplied | SkippedStale | { status: 'not-ours'; subscriptionId: string };

/** The flow, started by a Stripe subscription event from source `stripe`, business key = the subscription. */
export function renewalsFlow(deps: LeadToOrderDeps, options: RenewalsFlowOptions): FlowDefinition {
  const versions = new AppliedVersions(options.store);
  return defineFlow<unknown, RenewalsResult>({
    name: options.name ?? RENEWALS_FLOW,
    version: options.version ?? 1,
    concurrency: 'queue',
    trigger: SUBSCRIPTION_CHANGE_TYPES.map((type) => ({ source: 'stripe', type, key: 'data.object.id' })),
    retry: { maxAttempts: 8, ...options.retry },
    async run(ctx) {
      const event = stripeEventOf(ctx.input, 'subscription');
      const sub = event.subscription;
      const check = await checkStale(ctx, versions, event);
      if (check.stale) return skippedStale(check);
      const opportunityId = opportunityOfSubscription(sub);
      if (opportunityId === undefined) {
        await recordApplied(ctx, versions, check);
        return { status: 'not-ours', subscriptionId: sub.id };
      }
      const change = subscriptionChange(event);
      const deal = await ctx.step.run('read-deal', () => readOriginalDeal(deps.salesforce, opportunityId, sub));
      const out: RenewalsApplied = { status: 'applied', subscriptionId: sub.id, opportunityId, subscriptionStatus: sub.status, changes: [] };
      const { renewal, amendment } = change;
      if (renewal !== null) {
        const made = await ctx.step.run('salesforce-renewal', () => upsertRenewal(deps.salesforce, deal, renewal, itemTerms(sub.items.data), sub.status));
        await ctx.step.run('netsuite-renewal', () => renewSalesOrder(deps.netsuite, opportunityId, renewal, sub.status));
        out.changes.push('renewal');
        out.renewalOpportunityId = made.id;
      }
      if (amendment !== null) {
        const made = await ctx.step.run('salesforce-amendment', () => upsertAmendment(deps.salesforce, deal, amendment, event.created, sub.status));
        // The order follows the subscription as Stripe has it now, whatever order its events came in.
        await ctx.step.run('netsuite-amendment', async () => {
          const now = await retrieveSubscription(deps.stripe, sub.id);
          const removed = amendment.before.flatMap((t) => (t.sku === null ? [] : [t.sku]));
          return amendSalesOrder(deps.netsuite, opportunityId, itemTerms(now.items.data), removed);
        });
        out.changes.push('amendment');
        out.amendmentOpportunityId = made.id;
      }
      if (change.ended) out.changes.push('ended');
      if (change.previousStatus !== null || change.ended) out.changes.push('status');
      await ctx.step.run('salesforce-subscription-status', () => reportSubscriptionStatus(deps.salesforce, opportunityId, sub.status));
      if (renewal === null) await ctx.step.run('netsuite-subscription-status', () => markSalesOrderStatus(deps.netsuite, opportunityId, sub.status));
      await recordApplied(ctx, versions, check);
      return out;
    },
  }) as FlowDefinition;
}
