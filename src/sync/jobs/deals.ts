/**
 * `deals`: Salesforce closed-won Opportunities ↔ NetSuite sales orders (external id = Opportunity
 * Id) ↔ Stripe subscriptions (`metadata.salesforce_opportunity_id`). Compared: status (a won deal
 * is live; a cancelled or closed order, a cancelled subscription is not), currency, and the
 * order's total against the deal amount. A missing order or subscription heals by replaying
 * lead-to-order's own booking steps — by external id and idempotency key, so never twice — after
 * approval by default, since both are financial documents.
 */
import { getSalesOrder } from '../../connectors/netsuite/actions/get-sales-order.ts';
import { suiteQl } from '../../connectors/netsuite/actions/suiteql-query.ts';
import { getOpportunity } from '../../connectors/salesforce/actions/get-opportunity.ts';
import { queryRecords } from '../../connectors/salesforce/actions/query-records.ts';
import type { StripeSubscription } from '../../connectors/stripe/types.ts';
import { InterlockError } from '../../core/errors.ts';
import { toCanonical } from '../../flows/lead-to-order/canonical.ts';
import { loadLeadToOrderMappers } from '../../flows/lead-to-order/deps.ts';
import { bookSalesOrder, upsertNetSuiteCustomer } from '../../flows/lead-to-order/netsuite-steps.ts';
import { ensureStripeCustomer, OPPORTUNITY_KEY, recurringItems, subscribe } from '../../flows/lead-to-order/stripe-steps.ts';
import type { Discrepancy } from '../reconcile/discrepancy.ts';
import type { HealCommand } from '../reconcile/heal.ts';
import type { Projection } from '../reconcile/projection.ts';
import type { Systems } from '../systems/systems.ts';
import type { JobDefinition, JobOptions } from './job.ts';

/** Stripe subscription statuses that mean the subscription no longer bills. */
const ENDED = new Set(['canceled', 'incomplete_expired']);
/** SuiteQL status letters of a sales order that will not be fulfilled: C cancelled, H closed. */
const ORDER_ENDED = new Set(['C', 'H']);
/** The memo lead-to-order's compensation leaves where the account refuses closing lines. */
const CANCELLED_MEMO = 'CANCELLED by Interlock';

async function* wonOpportunities(systems: Systems): AsyncGenerator<Projection> {
  const soql = 'SELECT Id, Amount, CurrencyIsoCode, Account.CurrencyIsoCode FROM Opportunity WHERE IsWon = true';
  type Row = { Id: string; Amount: number | null; CurrencyIsoCode: string | null; Account: { CurrencyIsoCode: string | null } | null };
  for await (const o of queryRecords<Row>(systems.salesforce, { soql })) {
    // A deal without its own currency is in its account's, as lead-to-order books it.
    const currency = o.CurrencyIsoCode ?? o.Account?.CurrencyIsoCode ?? null;
    yield { key: o.Id, id: o.Id, fields: { status: 'active', currency, amount: o.Amount ?? 0 } };
  }
}

async function* salesOrders(systems: Systems): AsyncGenerator<Projection> {
  const q = `SELECT t.id, t.tranid, t.externalid, t.foreigntotal, t.status, t.memo, c.symbol FROM transaction t LEFT JOIN currency c ON c.id = t.currency
    WHERE t.type = 'SalesOrd' AND t.externalid IS NOT NULL`;
  for await (const o of suiteQl(systems.netsuite, { q })) {
    const ended = ORDER_ENDED.has(o['status'] ?? '') || (o['memo'] ?? '').startsWith(CANCELLED_MEMO);
    yield {
      key: o['externalid'] ?? '',
      id: o['id'] ?? '',
      fields: { status: ended ? 'cancelled' : 'active', currency: o['symbol'] ?? null, amount: Number(o['foreigntotal'] ?? 0) },
      context: { tranId: o['tranid'] ?? '' },
    };
  }
}

async function* subscriptions(systems: Systems): AsyncGenerator<Projection> {
  for await (const s of systems.stripe.list<StripeSubscription & { currency?: string }>('subscriptions', { status: 'all' })) {
    const key = s.metadata[OPPORTUNITY_KEY];
    if (key === undefined || key === '') continue;
    yield { key, id: s.id, fields: { status: ENDED.has(s.status) ? 'cancelled' : 'active', currency: s.currency?.toUpperCase() ?? null } };
  }
}

async function canonicalDeal(systems: Systems, opportunityId: string) {
  const opportunity = await getOpportunity(systems.salesforce, { opportunityId });
  const deal = await toCanonical(opportunity, await loadLeadToOrderMappers());
  if (!deal.ok) throw new InterlockError('permanent', `the deal cannot be booked: ${deal.problems.join(' ')}`);
  return { opportunity, ...deal };
}

function plan(systems: Systems, d: Discrepancy): HealCommand | undefined {
  if (d.kind !== 'missing') return undefined;
  if (d.system === 'netsuite') {
    return {
      name: 'netsuite.create-sales-order-by-external-id',
      run: async () => {
        const { opportunity, order, customer } = await canonicalDeal(systems, d.key);
        const customerId = await upsertNetSuiteCustomer(systems.netsuite, opportunity, customer, systems.config);
        const booked = await bookSalesOrder(systems.netsuite, opportunity, order, customerId, systems.config);
        return { salesOrder: booked.id, tranId: booked.tranId, created: booked.created };
      },
    };
  }
  if (d.system === 'stripe') {
    return {
      name: 'stripe.subscribe-by-opportunity',
      run: async () => {
        const { opportunity, order, customer } = await canonicalDeal(systems, d.key);
        const key = `interlock-heal:deal:${d.key}`;
        const customerId = await ensureStripeCustomer(systems.stripe, opportunity, customer);
        const items = await recurringItems(systems.stripe, opportunity, order.currency.toLowerCase(), systems.config);
        const salesOrder = await getSalesOrder(systems.netsuite, { externalId: d.key }).then((o) => o.tranId, () => '');
        const sub = await subscribe(systems.stripe, { customerId, items, opportunityId: d.key, salesOrder, idempotencyKey: `${key}:subscription` });
        return { subscription: sub.id, customer: customerId };
      },
    };
  }
  return undefined;
}

/** The deals job. */
export const dealsJob: JobDefinition = {
  name: 'deals',
  description: 'Salesforce closed-won opportunities ↔ NetSuite sales orders ↔ Stripe subscriptions, by Opportunity Id',
  safe: [],
  build: (systems: Systems, options: JobOptions) => ({
    job: {
      name: 'deals',
      description: dealsJob.description,
      sides: [
        { system: 'salesforce', read: () => wonOpportunities(systems) },
        { system: 'netsuite', read: () => salesOrders(systems) },
        { system: 'stripe', read: () => subscriptions(systems) },
      ],
      fields: [
        { field: 'status', kind: 'status' },
        { field: 'currency', kind: 'field' },
        { field: 'amount', kind: 'amount', systems: ['netsuite'], tolerance: options.tolerance ?? 0.01 },
      ],
    },
    plan: (d) => plan(systems, d),
  }),
};
