/**
 * Credit status with SAP as the source: the business partner of the external reference, then its
 * credit exposure against its limit in a credit segment (`API_CREDIT_MANAGEMENT`). Exposure is
 * what SAP counts against the limit — open orders, deliveries not billed, open receivables — so it
 * stands where NetSuite's open balance stands in {@link judgeCredit}.
 */
import { creditExposure, type CreditPosition } from '../../connectors/sap/actions/credit-exposure.ts';
import { InterlockError, notFoundError } from '../../core/errors.ts';
import { fetchPartner } from './business-partner-check.ts';
import { judgeCredit, type CreditStatus } from './credit-status.ts';
import { Budget, combined, fetchWithFallback, type DownstreamPolicy } from './downstream.ts';
import { POLICIES } from './policies.ts';
import type { SapSystems } from './sap-systems.ts';
import type { SyncContext } from './sync-context.ts';

/** The credit segment asked when none is given. */
export const DEFAULT_CREDIT_SEGMENT = '1000';

/** A credit status from SAP. */
export interface SapCreditStatus extends CreditStatus {
  segment: string;
  /** Open order value inside the exposure. */
  openOrders: number;
}

/** The policies of the two calls, and the budget they share. */
export interface SapCreditCalls {
  partner: DownstreamPolicy;
  credit: DownstreamPolicy;
  budget: Budget;
}

/** Reads and judges the SAP credit of the partner with external reference `externalRef`. */
export async function sapCreditStatus(
  ctx: SyncContext,
  systems: SapSystems,
  externalRef: string,
  orderAmount: number | undefined,
  segment = DEFAULT_CREDIT_SEGMENT,
  calls?: SapCreditCalls,
): Promise<SapCreditStatus> {
  const { budgetMs, downstream } = POLICIES['credit-status'];
  const { partner: partnerPolicy, credit: creditPolicy, budget } = calls ?? { partner: downstream.sapPartner, credit: downstream.sapCredit, budget: new Budget(ctx.clock, budgetMs) };
  const partner = await fetchPartner(ctx, systems, externalRef, partnerPolicy, budget);
  const bp = partner.value.businessPartner;
  const position = await fetchWithFallback(ctx, creditPolicy, budget, `${bp}:${segment}`, async (): Promise<CreditPosition | null> => {
    try {
      return await creditExposure(systems.sap, bp, segment);
    } catch (err) {
      if (err instanceof InterlockError && err.code === 'not-found') return null;
      throw err;
    }
  });
  if (position.value === null) {
    throw notFoundError(`SAP keeps no credit account for business partner ${bp} in credit segment ${segment}`, { type: 'customer-not-found', details: { externalRef, segment } });
  }
  const p = position.value;
  const facts = { creditLimit: p.limit, balance: p.exposure, onHold: false };
  const freshness = combined([partner.freshness, position.freshness]);
  const verdict = judgeCredit(facts, orderAmount ?? 0);
  // What SAP weighs against the limit is its exposure, which already holds open orders.
  const reason = verdict.reason.replace('(balance ', '(credit exposure ');
  return {
    externalId: externalRef,
    customerId: bp,
    entityId: partner.value.customer,
    creditLimit: p.limit,
    balance: p.exposure,
    currency: p.currency === '' ? null : p.currency,
    onHold: false,
    ...verdict,
    reason,
    orderAmount: orderAmount ?? null,
    segment,
    openOrders: p.openOrders,
    stale: freshness.stale,
    ageSeconds: freshness.ageSeconds,
    ageMs: freshness.ageMs,
    ...(freshness.reason === undefined ? {} : { staleReason: freshness.reason }),
  };
}
