/**
 * Billing feedback: Stripe's `invoice.paid` and `invoice.payment_failed` flow back to NetSuite
 * (the invoice billed from the deal's sales order, the payment recorded or the failure marked)
 * and to Salesforce (billing status, last invoice and payment date on the opportunity and its
 * account). Runs are keyed by the Stripe customer and queued, so one account's invoices are
 * applied in the order they arrive; an event older than what was applied to its invoice is
 * skipped with a record (`check-stale`), and duplicates never reach the flow (the inbox).
 */
import type { StripeInvoice } from '../../connectors/stripe/types.ts';
import type { Store } from '../../store/store.ts';
import { defineFlow } from '../define-flow.ts';
import type { FlowDefinition, StepRetryPolicy } from '../define-flow.ts';
import type { LeadToOrderDeps } from '../lead-to-order/deps.ts';
import { AppliedVersions } from '../stripe-events/applied-versions.ts';
import { opportunityOfInvoice } from '../stripe-events/links.ts';
import { checkStale, recordApplied, skippedStale, stripeEventOf } from '../stripe-events/stale-guard.ts';
import type { SkippedStale } from '../stripe-events/stale-guard.ts';
import { billedLines } from './invoice-lines.ts';
import { billStripeInvoice, markPaymentFailed, recordStripePayment } from './netsuite-steps.ts';
import { accountOf, reportBillingStatus } from './salesforce-steps.ts';

/** The flow's name. */
export const BILLING_FEEDBACK_FLOW = 'billing-feedback';

/** The Stripe event types that start a run. */
export const BILLING_EVENT_TYPES = ['invoice.paid', 'invoice.payment_failed'] as const;

/** Options of {@link billingFeedbackFlow}. */
export interface BillingFeedbackFlowOptions {
  /** Where the last applied version of each invoice is kept (the store the runs are in). */
  store: Store;
  /** @default 'billing-feedback' */
  name?: string;
  /** @default 1 */
  version?: number;
  /** @default 8 attempts, 1 s doubling to 60 s */
  retry?: Partial<StepRetryPolicy>;
}

/** A run that applied its event. */
export interface BillingFeedbackApplied {
  status: 'paid' | 'payment-failed';
  invoiceId: string;
  opportunityId: string;
  netSuiteInvoiceId: string;
  netSuiteInvoiceNumber: string;
  /** False when a newer invoice's status was on the opportunity already (the step result says so). */
  salesforceWritten: boolean;
}

/** How a run ended: applied, skipped as stale, or not about a deal Interlock booked. */
export type BillingFeedbackResult = BillingFeedbackApplied | SkippedStale | { status: 'not-ours'; invoiceId: string };

/** The flow, started by a Stripe invoice event from source `stripe`, business key = the Stripe customer. */
export function billingFeedbackFlow(deps: LeadToOrderDeps, options: BillingFeedbackFlowOptions): FlowDefinition {
  const versions = new AppliedVersions(options.store);
  return defineFlow<unknown, BillingFeedbackResult>({
    name: options.name ?? BILLING_FEEDBACK_FLOW,
    version: options.version ?? 1,
    concurrency: 'queue',
    trigger: BILLING_EVENT_TYPES.map((type) => ({ source: 'stripe', type, key: 'data.object.customer' })),
    retry: { maxAttempts: 8, ...options.retry },
    async run(ctx) {
      const event = stripeEventOf(ctx.input, 'invoice');
      const check = await checkStale(ctx, versions, event);
      if (check.stale) return skippedStale(check);
      const invoice: StripeInvoice = event.invoice;
      const deal = await ctx.step.run('find-deal', async () => {
        const link = await opportunityOfInvoice(deps.stripe, invoice);
        return link === undefined ? null : { ...link, accountId: await accountOf(deps.salesforce, link.opportunityId) };
      });
      if (deal === null) {
        await recordApplied(ctx, versions, check);
        return { status: 'not-ours', invoiceId: invoice.id };
      }
      const paid = event.type === 'invoice.paid';
      const billed = await ctx.step.run('netsuite-invoice', async () => billStripeInvoice(deps.netsuite, invoice, deal.opportunityId, await billedLines(deps.stripe, invoice)));
      const paidAt = paid ? paidTime(invoice, event.created) : null;
      if (paidAt !== null) await ctx.step.run('netsuite-payment', () => recordStripePayment(deps.netsuite, invoice, billed, paidAt));
      else await ctx.step.run('netsuite-payment-failed', () => markPaymentFailed(deps.netsuite, invoice, billed));
      const reported = await ctx.step.run('salesforce-billing-status', () =>
        reportBillingStatus(deps.salesforce, versions, { event, opportunityId: deal.opportunityId, subscriptionId: deal.subscriptionId, accountId: deal.accountId, paidAt }),
      );
      await recordApplied(ctx, versions, check);
      return {
        status: paid ? 'paid' : 'payment-failed',
        invoiceId: invoice.id,
        opportunityId: deal.opportunityId,
        netSuiteInvoiceId: billed.id,
        netSuiteInvoiceNumber: billed.tranId,
        salesforceWritten: reported.written,
      };
    },
  }) as FlowDefinition;
}

// When Stripe says the invoice was paid; the event's time for payloads without it.
function paidTime(invoice: StripeInvoice, fallback: number): number {
  const at = (invoice as { status_transitions?: { paid_at?: number | null } }).status_transitions?.paid_at;
  return typeof at === 'number' ? at : fallback;
}
