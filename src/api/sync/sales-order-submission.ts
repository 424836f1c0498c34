/**
 * Order submission for the manufacturer story (CRM quote → SAP sales order): checks synchronously
 * what SAP will hold the order to — the business partner is a customer in the order's sales area
 * and currency, every line can be promised (ATP), the order fits the credit left — and hands the
 * order to the asynchronous manufacturer flow, which books it in SAP and writes back to the CRM.
 * Availability and credit come from SAP now or not at all: an order is never accepted on an old copy.
 */
import { InterlockError, transientError, validationError } from '../../core/errors.ts';
import type { FlowRuntime } from '../../engine/flows/runtime.ts';
import { availabilityOf, type AvailableLine } from './availability.ts';
import { fetchPartner, partnerProblems } from './business-partner-check.ts';
import { Budget } from './downstream.ts';
import { MANUFACTURER_ORDER_FLOW } from './manufacturer-flow.ts';
import { POLICIES } from './policies.ts';
import { DEFAULT_CREDIT_SEGMENT, sapCreditStatus } from './sap-credit.ts';
import type { SapSystems } from './sap-systems.ts';
import type { SyncContext } from './sync-context.ts';

/** The order a portal submits. */
export interface SalesOrderInput {
  /** The CRM opportunity (Dynamics 365) the quote belongs to: the flow's business key. */
  opportunityId: string;
  /** The CRM account number, the business partner's external reference in SAP. */
  accountNumber: string;
  currency: string;
  plant: string;
  /** `1710/10/00`. */
  salesArea?: string | undefined;
  requestedDate?: string | undefined;
  creditSegment?: string | undefined;
  lines: ReadonlyArray<{ material: string; quantity: number; unitPrice: number }>;
}

/** What a submission answers. */
export interface SalesOrderSubmission {
  runId: number;
  outcome: 'started' | 'attached';
  flow: string;
  opportunityId: string;
  businessPartner: string;
  currency: string;
  total: number;
  lines: AvailableLine[];
  credit: { status: string; available: number | null; currency: string | null };
  statusUrl: string;
}

/** Checks `input` against SAP and starts (or joins) the manufacturer flow's run for the opportunity. */
export async function submitSalesOrder(ctx: SyncContext & { flows: FlowRuntime }, systems: SapSystems, input: SalesOrderInput): Promise<SalesOrderSubmission> {
  const { budgetMs, downstream } = POLICIES['sales-order-submission'];
  const budget = new Budget(ctx.clock, budgetMs);
  const total = Math.round(input.lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0) * 100) / 100;
  const partner = await fetchPartner(ctx, systems, input.accountNumber, downstream.partner, budget);
  const problems = partnerProblems(partner.value, { salesArea: input.salesArea, currency: input.currency });
  // Availability and credit are independent: asked at once, within the one budget.
  const [atp, credit] = await Promise.all([
    availabilityOf(ctx, systems, { plant: input.plant, requestedDate: input.requestedDate, lines: input.lines }, downstream.atp, budget),
    sapCreditStatus(ctx, systems, input.accountNumber, total, input.creditSegment ?? DEFAULT_CREDIT_SEGMENT, { partner: downstream.partner, credit: downstream.credit, budget }).catch((err: unknown) => {
      // No credit account in the segment is one more thing to fix, listed with the others.
      if (err instanceof InterlockError && err.code === 'not-found') return err;
      throw err;
    }),
  ]);
  for (const line of atp.lines) if (line.problem !== undefined) problems.push(line.problem);
  if (credit instanceof InterlockError) {
    problems.push(`${credit.message}: SAP blocks orders without one.`);
  } else if (credit.currency !== null && credit.currency !== input.currency) {
    // Exposure and limit are in the segment's currency; an order in another cannot be compared without a rate.
    problems.push(`The credit limit is kept in ${credit.currency} and the order is in ${input.currency}: the order must be in the credit segment's currency.`);
  } else if (!credit.fits) {
    problems.push(
      credit.status === 'on-hold'
        ? `Business partner ${credit.customerId} is on credit hold.`
        : `The order total ${total} ${input.currency} exceeds the credit left (${credit.available ?? 0} ${credit.currency ?? input.currency}).`,
    );
  }
  if (problems.length > 0) {
    throw validationError(`the order for opportunity ${input.opportunityId} cannot be booked: ${problems.join(' ')}`, { status: 422, type: 'order-invalid', details: { problems } });
  }
  if (credit instanceof InterlockError) throw credit; // listed above, so not reached
  let started;
  try {
    started = await ctx.flows.start(MANUFACTURER_ORDER_FLOW, { key: input.opportunityId, input: { source: 'api', order: { ...input, total }, businessPartner: partner.value.businessPartner } });
  } catch (err) {
    if (err instanceof InterlockError && err.code === 'not-found') {
      throw transientError(`order submission is not available: the ${MANUFACTURER_ORDER_FLOW} flow is not registered in this process`, { type: 'flow-not-registered' });
    }
    throw err;
  }
  return {
    runId: started.runId,
    outcome: started.outcome === 'attached' ? 'attached' : 'started',
    flow: MANUFACTURER_ORDER_FLOW,
    opportunityId: input.opportunityId,
    businessPartner: partner.value.businessPartner,
    currency: input.currency,
    total,
    lines: atp.lines,
    credit: { status: credit.status, available: credit.available, currency: credit.currency },
    statusUrl: `/v1/orders/${started.runId}`,
  };
}
