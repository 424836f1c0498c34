/**
 * Order submission: the opportunity read from Salesforce and validated synchronously with the
 * very validation lead-to-order runs (legal entity, currency, price book, billing frequency,
 * AvaTax estimate), so the seller hears at once what is wrong; a valid deal starts (or joins) the
 * lead-to-order run, which books it asynchronously, and the caller gets its id and a status URL.
 */
import { getOpportunity } from '../../connectors/salesforce/actions/get-opportunity.ts';
import { recordId } from '../../connectors/salesforce/actions/soql.ts';
import { InterlockError, transientError, validationError } from '../../core/errors.ts';
import type { FlowRuntime } from '../../engine/flows/runtime.ts';
import type { LeadToOrderDeps } from '../../flows/lead-to-order/deps.ts';
import { validateDeal } from '../../flows/lead-to-order/validate-deal.ts';
import { Budget, fetchWithFallback } from './downstream.ts';
import { POLICIES } from './policies.ts';
import type { SyncContext } from './sync-context.ts';
import { asTaxRefusal } from './tax-estimate.ts';

/** The flow orders are handed to. */
export const ORDER_FLOW = 'lead-to-order';

/** What a submission answers. */
export interface OrderSubmission {
  runId: number;
  /** `started` for a new run, `attached` when the opportunity already had an active one. */
  outcome: 'started' | 'attached';
  opportunityId: string;
  estimatedTax: number;
  currency: string;
  total: number;
  statusUrl: string;
}

/** Validates the opportunity and hands it to lead-to-order. */
export async function submitOrder(ctx: SyncContext & { flows: FlowRuntime }, systems: LeadToOrderDeps, opportunityId: string): Promise<OrderSubmission> {
  recordId(opportunityId, 'opportunity id');
  const { budgetMs, downstream } = POLICIES['order-submission'];
  const budget = new Budget(ctx.clock, budgetMs);
  const { value: opportunity } = await fetchWithFallback(ctx, downstream.opportunity, budget, opportunityId, () =>
    getOpportunity(systems.salesforce, { opportunityId }),
  );
  if (!opportunity.IsWon) {
    throw validationError(`opportunity ${opportunityId} is ${opportunity.StageName}, not Closed Won: only won deals become orders`, {
      status: 422,
      type: 'opportunity-not-won',
      details: { stage: opportunity.StageName },
    });
  }
  let check;
  try {
    check = await fetchWithFallback(ctx, downstream.tax, budget, opportunityId, () => validateDeal(systems, opportunity));
  } catch (err) {
    throw asTaxRefusal(err);
  }
  if (!check.value.ok) {
    throw validationError(`opportunity ${opportunityId} cannot be booked: ${check.value.problems.join(' ')}`, {
      status: 422,
      type: 'order-invalid',
      details: { problems: check.value.problems },
    });
  }
  const { order, estimatedTax } = check.value;
  let started;
  try {
    started = await ctx.flows.start(ORDER_FLOW, { key: opportunityId });
  } catch (err) {
    if (err instanceof InterlockError && err.code === 'not-found') {
      throw transientError('order submission is not available: the lead-to-order flow is not registered in this process', { type: 'flow-not-registered' });
    }
    throw err;
  }
  return {
    runId: started.runId,
    outcome: started.outcome === 'attached' ? 'attached' : 'started',
    opportunityId,
    estimatedTax,
    currency: order.currency,
    total: Number(order.total?.amount ?? opportunity.Amount ?? 0),
    statusUrl: `/v1/orders/${started.runId}`,
  };
}
