/**
 * The latency budget of each synchronous operation and the timeout and fallback of each
 * downstream call it makes, in one table: what a caller can count on, and what the OpenAPI
 * document states. Reads of master data fall back to the last synced copy; a tax figure or an
 * order submission cannot be answered from an old copy, so those fail. Account and legal-entity
 * master data is also served from a copy younger than {@link MASTER_DATA_FRESH_MS} (a seller's
 * burst of quotes on one account asks the systems of record once, not once per quote).
 */
import type { DownstreamPolicy } from './downstream.ts';

/** The synchronous operations. */
export type Operation =
  | 'account-validation'
  | 'pricing-check'
  | 'credit-status'
  | 'tax-estimate'
  | 'order-submission'
  | 'availability'
  | 'business-partner'
  | 'sales-order-submission';

/** An operation's budget and the downstream calls it makes. */
export interface OperationPolicy {
  /** The whole operation answers within this, ms (plus the time to write the answer). */
  budgetMs: number;
  downstream: Readonly<Record<string, DownstreamPolicy>>;
}

/** How long a fetched account or NetSuite customer answers validation without asking again. */
export const MASTER_DATA_FRESH_MS = 5_000;

const policy = (name: string, timeoutMs: number, fallback: DownstreamPolicy['fallback'], freshForMs = 0): DownstreamPolicy => ({ name, timeoutMs, fallback, freshForMs });

/** Budgets and downstream policies by operation. */
export const POLICIES = {
  'account-validation': {
    budgetMs: 1500,
    downstream: {
      account: policy('salesforce.account', 700, 'last-known', MASTER_DATA_FRESH_MS),
      customer: policy('netsuite.customer', 700, 'last-known', MASTER_DATA_FRESH_MS),
    },
  },
  'pricing-check': { budgetMs: 1000, downstream: { priceBook: policy('salesforce.pricebook', 800, 'last-known') } },
  'credit-status': {
    budgetMs: 1000,
    downstream: {
      customer: policy('netsuite.credit', 800, 'last-known'),
      // With SAP as the source: the partner by external reference, then its exposure and limit.
      sapPartner: policy('sap.business-partner', 400, 'last-known', MASTER_DATA_FRESH_MS),
      sapCredit: policy('sap.credit', 600, 'last-known'),
    },
  },
  'tax-estimate': { budgetMs: 2000, downstream: { tax: policy('avalara.estimate', 1800, 'fail') } },
  'order-submission': {
    budgetMs: 4000,
    downstream: { opportunity: policy('salesforce.opportunity', 1500, 'fail'), tax: policy('avalara.estimate', 2000, 'fail') },
  },
  // ATP moves with every order: never served from a recent copy, only from the last one when SAP is down (flagged stale).
  availability: { budgetMs: 1200, downstream: { atp: policy('sap.availability', 1000, 'last-known') } },
  'business-partner': { budgetMs: 1000, downstream: { partner: policy('sap.business-partner', 800, 'last-known', MASTER_DATA_FRESH_MS) } },
  // An order is booked on what SAP says now: availability and credit are never taken from an old copy here.
  'sales-order-submission': {
    budgetMs: 4000,
    downstream: {
      partner: policy('sap.business-partner', 1000, 'last-known', MASTER_DATA_FRESH_MS),
      atp: policy('sap.availability', 1500, 'fail'),
      credit: policy('sap.credit', 1500, 'fail'),
    },
  },
} as const satisfies Readonly<Record<Operation, OperationPolicy>>;

/** A sentence for the OpenAPI description of `operation`: its budget and each downstream's timeout and fallback. */
export function describePolicy(operation: Operation): string {
  const p: OperationPolicy = POLICIES[operation];
  const calls = Object.values(p.downstream).map((d) => {
    const fresh = (d.freshForMs ?? 0) > 0 ? `answered from a copy younger than ${d.freshForMs} ms unless the request says \`Cache-Control: no-cache\`, ` : '';
    return `${d.name} (${fresh}timeout ${d.timeoutMs} ms, ${d.fallback === 'fail' ? 'fails with 503' : 'falls back to the last synced copy, `stale: true`'})`;
  });
  return `Latency budget ${p.budgetMs} ms. Downstream: ${calls.join('; ')}.`;
}
