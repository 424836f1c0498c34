/**
 * Credit status: the NetSuite customer's credit limit against what it owes — its open balance
 * (receivables: what is left on its invoices) plus its unbilled orders (booked, not yet invoiced,
 * and owed as soon as they are: NetSuite's "credit limit includes orders") — and whether an order
 * of a given amount would still fit. The customer is found by external id (the Salesforce Account
 * Id lead-to-order books with, or any external id). Every verdict carries a sentence with the
 * figures, so a seller sees why.
 */
import { notFoundError } from '../../core/errors.ts';
import { InterlockError } from '../../core/errors.ts';
import type { LeadToOrderDeps } from '../../flows/lead-to-order/deps.ts';
import { Budget, fetchWithFallback } from './downstream.ts';
import { POLICIES } from './policies.ts';
import type { SyncContext } from './sync-context.ts';

/** The customer's credit facts as NetSuite holds them. */
interface CreditFacts {
  customerId: string;
  entityId: string | null;
  creditLimit: number | null;
  balance: number;
  /** Sales orders booked and not yet invoiced (NetSuite `unbilledOrders`); counted against the limit. */
  unbilledOrders?: number | null;
  /** The part of the balance past its due date (NetSuite `overdueBalance`); reported, not counted twice. */
  overdueBalance?: number | null;
  currency: string | null;
  onHold: boolean;
}

/** The verdict. */
export type CreditVerdict = 'within-limit' | 'over-limit' | 'no-limit' | 'on-hold';

/** What a credit check answers. */
export interface CreditStatus extends CreditFacts {
  externalId: string;
  status: CreditVerdict;
  /** Credit left before the order (null without a limit). */
  available: number | null;
  /** The order amount asked about, and whether it fits. */
  orderAmount: number | null;
  fits: boolean;
  /** The verdict in a sentence, with its figures. */
  reason: string;
  stale: boolean;
  ageSeconds: number;
  ageMs: number;
  staleReason?: string;
}

/** What {@link judgeCredit} weighs: the limit, what is owed (`balance`, plus `unbilledOrders` when known) and a hold. */
export interface CreditInput {
  creditLimit: number | null;
  balance: number;
  unbilledOrders?: number | null | undefined;
  onHold: boolean;
}

/** Judges credit facts against an order amount (0 when none is asked about). */
export function judgeCredit(facts: CreditInput, orderAmount: number): { status: CreditVerdict; available: number | null; fits: boolean; reason: string } {
  const unbilled = facts.unbilledOrders ?? 0;
  const owed = `balance ${money(facts.balance)}${unbilled === 0 ? '' : ` and unbilled orders ${money(unbilled)}`}`;
  const available = facts.creditLimit === null ? null : round(facts.creditLimit - facts.balance - unbilled);
  if (facts.onHold) return { status: 'on-hold', available, fits: false, reason: 'The customer is on credit hold: no order is approved until the hold is released.' };
  if (facts.creditLimit === null || available === null) {
    return { status: 'no-limit', available: null, fits: true, reason: `No credit limit is set for this customer, so there is none to check the order against (${owed}).` };
  }
  const limit = `credit limit ${money(facts.creditLimit)}`;
  if (available < 0) {
    return { status: 'over-limit', available, fits: false, reason: `Over its ${limit} by ${money(-available)} (${owed}): no order is approved.` };
  }
  const fits = orderAmount <= available;
  const order = orderAmount === 0 ? 'An order' : `An order of ${money(orderAmount)}`;
  return {
    status: 'within-limit',
    available,
    fits,
    reason: fits
      ? `${order} fits: ${money(available)} of the ${limit} is left (${owed}).`
      : `${order} does not fit: ${money(available)} of the ${limit} is left (${owed}); it is over by ${money(round(orderAmount - available))}.`,
  };
}

/** Reads and judges the credit of the customer with external id `externalId`. */
export async function creditStatus(ctx: SyncContext, systems: LeadToOrderDeps, externalId: string, orderAmount: number | undefined): Promise<CreditStatus> {
  const { budgetMs, downstream } = POLICIES['credit-status'];
  const fetched = await fetchWithFallback(ctx, downstream.customer, new Budget(ctx.clock, budgetMs), externalId, async (timeoutMs) => {
    try {
      const res = await systems.netsuite.rest<Record<string, unknown>>({ method: 'GET', path: `record/v1/customer/eid:${encodeURIComponent(externalId)}`, timeoutMs });
      return toFacts(res.body);
    } catch (err) {
      if (err instanceof InterlockError && err.code === 'not-found') return null;
      throw err;
    }
  });
  const facts = fetched.value;
  if (facts === null) throw notFoundError(`NetSuite has no customer with external id ${externalId}`, { type: 'customer-not-found', details: { externalId } });
  const verdict = judgeCredit(facts, orderAmount ?? 0);
  return {
    externalId,
    ...facts,
    ...verdict,
    orderAmount: orderAmount ?? null,
    stale: fetched.freshness.stale,
    ageSeconds: fetched.freshness.ageSeconds,
    ageMs: fetched.freshness.ageMs,
    ...(fetched.freshness.reason === undefined ? {} : { staleReason: fetched.freshness.reason }),
  };
}

function toFacts(body: Record<string, unknown>): CreditFacts {
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : null);
  const ref = (v: unknown): string | null => (v !== null && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : null);
  // NetSuite's creditHoldOverride: AUTO lets the limit decide, ON holds every order.
  const hold = body['creditHoldOverride'];
  const holdId = typeof hold === 'string' ? hold : ref(hold);
  return {
    customerId: String(body['id'] ?? ''),
    entityId: typeof body['entityId'] === 'string' ? body['entityId'] : null,
    creditLimit: num(body['creditLimit']),
    balance: num(body['balance']) ?? 0,
    unbilledOrders: num(body['unbilledOrders']),
    overdueBalance: num(body['overdueBalance']),
    currency: ref(body['currency']),
    onHold: holdId === 'ON',
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

// Two decimals with thousands separators, no currency symbol (the answer carries the currency).
function money(n: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}
