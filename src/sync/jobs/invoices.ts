/**
 * `invoices`: Stripe invoices (the billing system of record) ↔ NetSuite invoices whose external
 * id is the Stripe invoice id, compared on total, currency and status. A missing NetSuite
 * invoice heals by billing the deal's sales order once per Stripe invoice; a Stripe-paid invoice
 * still open in NetSuite heals by recording the payment once. Both after approval by default.
 * Drafts are not compared: Stripe may still change them.
 */
import { billSalesOrder } from '../../connectors/netsuite/actions/bill-sales-order.ts';
import { recordPayment } from '../../connectors/netsuite/actions/record-payment.ts';
import { suiteQl } from '../../connectors/netsuite/actions/suiteql-query.ts';
import { retrieveInvoice } from '../../connectors/stripe/actions/retrieve-invoice.ts';
import { retrieveSubscription } from '../../connectors/stripe/actions/retrieve-subscription.ts';
import type { StripeInvoice } from '../../connectors/stripe/types.ts';
import { InterlockError } from '../../core/errors.ts';
import { OPPORTUNITY_KEY } from '../../flows/lead-to-order/stripe-steps.ts';
import type { Discrepancy } from '../reconcile/discrepancy.ts';
import type { HealCommand } from '../reconcile/heal.ts';
import type { Projection } from '../reconcile/projection.ts';
import type { Systems } from '../systems/systems.ts';
import type { JobDefinition, JobOptions } from './job.ts';

/** SuiteQL status letters of an invoice. */
const INVOICE_STATUS: Readonly<Record<string, string>> = { A: 'open', B: 'paid', V: 'void' };

async function* stripeInvoices(systems: Systems): AsyncGenerator<Projection> {
  for await (const i of systems.stripe.list<StripeInvoice>('invoices')) {
    if (i.status === 'draft') continue;
    const subscription = i.parent?.subscription_details?.subscription ?? i.subscription ?? '';
    yield { key: i.id, id: i.id, fields: { status: i.status, currency: i.currency.toUpperCase(), total: i.total / 100 }, context: { subscription } };
  }
}

async function* netSuiteInvoices(systems: Systems): AsyncGenerator<Projection> {
  const q = `SELECT t.id, t.externalid, t.foreigntotal, t.status, c.symbol FROM transaction t LEFT JOIN currency c ON c.id = t.currency
    WHERE t.type = 'CustInvc' AND t.externalid IS NOT NULL`;
  for await (const i of suiteQl(systems.netsuite, { q })) {
    const status = INVOICE_STATUS[i['status'] ?? ''] ?? i['status'] ?? null;
    yield { key: i['externalid'] ?? '', id: i['id'] ?? '', fields: { status, currency: i['symbol'] ?? null, total: Number(i['foreigntotal'] ?? 0) } };
  }
}

function plan(systems: Systems, d: Discrepancy): HealCommand | undefined {
  if (d.kind === 'missing' && d.system === 'netsuite') {
    return {
      name: 'netsuite.bill-sales-order-by-external-id',
      run: async () => {
        const subscriptionId = d.context['stripe.subscription'] ?? '';
        if (subscriptionId === '') throw new InterlockError('permanent', `Stripe invoice ${d.key} belongs to no subscription, so no sales order to bill`);
        const opportunity = (await retrieveSubscription(systems.stripe, subscriptionId)).metadata[OPPORTUNITY_KEY];
        if (opportunity === undefined) throw new InterlockError('permanent', `subscription ${subscriptionId} carries no ${OPPORTUNITY_KEY}`);
        const { invoice, created } = await billSalesOrder(systems.netsuite, { salesOrder: { externalId: opportunity }, externalId: d.key, otherRefNum: d.key });
        // Billing feedback of a paid invoice also records the payment, as the flow would have.
        if ((await retrieveInvoice(systems.stripe, d.key)).status !== 'paid') return { invoice: invoice.id, created };
        const paid = await recordPayment(systems.netsuite, { invoice: { id: invoice.id }, externalId: `${d.key}:payment`, memo: `Paid in Stripe (${d.key})` });
        return { invoice: invoice.id, created, payment: paid.paymentId, paymentCreated: paid.created };
      },
    };
  }
  const target = d.recordIds[0];
  if (d.kind === 'status-mismatch' && d.system === 'netsuite' && d.expected === 'paid' && d.actual === 'open' && target !== undefined) {
    return {
      name: 'netsuite.record-payment-by-external-id',
      run: async () => {
        const { paymentId, created } = await recordPayment(systems.netsuite, { invoice: { id: target }, externalId: `${d.key}:payment`, memo: `Paid in Stripe (${d.key})` });
        return { payment: paymentId, created };
      },
    };
  }
  return undefined;
}

/** The invoices job. */
export const invoicesJob: JobDefinition = {
  name: 'invoices',
  description: 'Stripe invoices ↔ NetSuite invoices (external id = Stripe invoice id): total, currency, status',
  safe: [],
  build: (systems: Systems, options: JobOptions) => ({
    job: {
      name: 'invoices',
      description: invoicesJob.description,
      sides: [
        { system: 'stripe', read: () => stripeInvoices(systems) },
        { system: 'netsuite', read: () => netSuiteInvoices(systems) },
      ],
      fields: [
        { field: 'total', kind: 'amount', tolerance: options.tolerance ?? 0.01 },
        { field: 'currency', kind: 'field' },
        { field: 'status', kind: 'status' },
      ],
    },
    plan: (d) => plan(systems, d),
  }),
};
