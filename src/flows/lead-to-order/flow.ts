/**
 * Lead-to-order: a Closed Won opportunity becomes a NetSuite customer and sales order and, for
 * its recurring lines, a Stripe subscription, with the outcome written back to Salesforce. The
 * flow calls the systems through ports (`ports.ts`), so the manufacturer story runs the same flow
 * from Dynamics 365 into SAP S/4HANA (`../manufacturer/`).
 *
 * Read → validate (written back and waited on until fixed) → approval above the discount
 * threshold → NetSuite customer → sales order → Stripe customer, prices, subscription →
 * write-back. A permanent failure after booking began closes the order, cancels the
 * subscription and flags the opportunity (the compensations, in reverse order).
 */
import { OPPORTUNITY_CLOSED_WON } from '../../connectors/kit/closed-won-event.ts';
import { defineFlow } from '../define-flow.ts';
import type { FlowContext, FlowDefinition, StepRetryPolicy } from '../define-flow.ts';
import type { LeadToOrderDeps } from './deps.ts';
import { firstStoryPorts } from './ports.ts';
import type { LeadToOrderPorts, ValidDeal } from './ports.ts';
import { problemText } from './validate.ts';
import { INTEGRATION_STATUS } from './write-back.ts';

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
  /** The SAP sales order (manufacturer story). */
  sapSalesOrder?: string;
  problems?: string[];
}

/** The first story's flow, calling Salesforce, NetSuite, Stripe and AvaTax through `deps`. Business key = the Opportunity Id. */
export function leadToOrderFlow(deps: LeadToOrderDeps, options: LeadToOrderFlowOptions = {}): FlowDefinition {
  return leadToOrderOverPorts(firstStoryPorts(deps), options);
}

/** The flow over any story's ports; its trigger is the CRM port's `opportunity.closed-won` events. */
export function leadToOrderOverPorts<D>(ports: LeadToOrderPorts<D>, options: LeadToOrderFlowOptions = {}): FlowDefinition {
  const { crm, erp, billing } = ports;
  const made = billing === undefined ? erp.label : `${erp.label} and ${billing.label}`;
  return defineFlow<unknown, LeadToOrderResult>({
    name: options.name ?? LEAD_TO_ORDER_FLOW,
    version: options.version ?? 1,
    concurrency: 'attach',
    trigger: { source: crm.source, type: CLOSED_WON_EVENT, key: 'opportunityId' },
    retry: { maxAttempts: 8, ...options.retry },
    async run(ctx) {
      const opportunityId = ctx.key;
      const valid = await readValidDeal(ctx, ports, options.maxFixes ?? 20);
      if (!('opportunity' in valid)) return valid;
      const { opportunity } = valid;
      const threshold = ports.discountApprovalThresholdPercent;
      const discount = crm.maxDiscountPercent(opportunity);
      if (discount > threshold) {
        const text = `Discount ${discount}% is above the ${threshold}% that needs no approval: waiting for approval.`;
        await ctx.step.run('report-awaiting-approval', () => crm.reportStatus(opportunityId, INTEGRATION_STATUS.awaitingApproval, text));
        const { name, amount } = crm.approvalFacts(opportunity);
        const decision = await ctx.step.approval('discount-approval', { opportunityId, name, discountPercent: discount, thresholdPercent: threshold, amount });
        if (!decision.approved) {
          const why = `Discount ${discount}% was rejected by ${decision.by}${decision.reason === null ? '' : `: ${decision.reason}`}.`;
          await ctx.step.run('report-rejected', () => crm.reportStatus(opportunityId, INTEGRATION_STATUS.rejected, why));
          return { status: 'rejected', opportunityId };
        }
      }
      await ctx.step.run('report-in-progress', () => crm.reportStatus(opportunityId, INTEGRATION_STATUS.inProgress, null), {
        compensate: () =>
          crm.reportStatus(opportunityId, INTEGRATION_STATUS.failed, `Booking failed; what was already made in ${made} has been cancelled. Interlock run ${ctx.runId} has the cause.`),
      });
      const erpCustomerId = await ctx.step.run(`${erp.name}-customer`, () => erp.upsertCustomer(valid));
      const salesOrder = await ctx.step.run(`${erp.name}-sales-order`, () => erp.bookOrder(valid, erpCustomerId), {
        compensate: (booked) => erp.cancelOrder(booked, `opportunity ${opportunityId} could not be completed (run ${ctx.runId})`),
      });
      const erpOrderNumber = erp.orderNumber(salesOrder);
      let billingCustomerId: string | null = null;
      let subscriptionId: string | null = null;
      if (billing !== undefined && billing.needed(opportunity)) {
        const cus = await ctx.step.run(`${billing.name}-customer`, () => billing.ensureCustomer(valid));
        const items = await ctx.step.run(`${billing.name}-prices`, () => billing.items(valid));
        const sub = await ctx.step.run(
          `${billing.name}-subscription`,
          (s) => billing.subscribe({ customerId: cus, items, opportunityId, erpOrderNumber, idempotencyKey: s.idempotencyKey }),
          { compensate: (booked) => billing.unsubscribe(booked) },
        );
        billingCustomerId = cus;
        subscriptionId = sub.id;
      }
      await ctx.step.run('write-back', () => crm.reportSynced(opportunityId, { erpOrderNumber, billingCustomerId, subscriptionId }, opportunity));
      return { status: 'synced', opportunityId, ...erp.resultFields(salesOrder), ...billing?.resultFields(billingCustomerId, subscriptionId) };
    },
  }) as FlowDefinition;
}

/**
 * Reads and validates the deal; while it is invalid, writes the problems back and waits for the
 * next closed-won event of the opportunity (the salesperson's fix), then reads it again.
 */
async function readValidDeal<D>(ctx: FlowContext<unknown>, ports: LeadToOrderPorts<D>, maxFixes: number): Promise<ValidDeal<D> | LeadToOrderResult> {
  const opportunityId = ctx.key;
  let problems: string[] = [];
  for (let round = 1; round <= maxFixes + 1; round++) {
    const suffix = round === 1 ? '' : `#${round}`;
    const opportunity = await ctx.step.run(`read-opportunity${suffix}`, () => ports.crm.readDeal(opportunityId));
    if (!ports.crm.isWon(opportunity)) return { status: 'not-closed-won', opportunityId };
    // A deal an earlier run booked is done: a repeated trigger must not book it again.
    const synced = ports.crm.alreadySynced(opportunity);
    if (synced !== undefined) return { status: 'already-synced', opportunityId, ...synced };
    const check = await ctx.step.run(`validate${suffix}`, () => ports.validate(opportunity));
    if (check.ok) return { ...check, opportunity };
    problems = check.problems;
    await ctx.step.run(`report-invalid${suffix}`, () => ports.crm.reportStatus(opportunityId, INTEGRATION_STATUS.error, problemText(problems)));
    if (round > maxFixes) break;
    await ctx.step.waitForEvent(`await-fix${suffix}`, { type: CLOSED_WON_EVENT, match: { opportunityId } });
  }
  return { status: 'invalid', opportunityId, problems };
}
