/**
 * Where a deal stands in each system, read from the systems themselves (not from Interlock's
 * own records): the opportunity's integration and billing fields in Salesforce, the sales orders
 * NetSuite holds for it, the subscription and invoices Stripe holds for it. The demo prints these
 * as deals move and checks them at the end.
 */
import { getInvoice } from '../connectors/netsuite/actions/get-invoice.ts';
import { suiteQl } from '../connectors/netsuite/actions/suiteql-query.ts';
import { queryRecords } from '../connectors/salesforce/actions/query-records.ts';
import { recordId } from '../connectors/salesforce/actions/soql.ts';
import { listSubscriptionInvoices } from '../connectors/stripe/actions/list-subscription-invoices.ts';
import type { StripeSubscription } from '../connectors/stripe/types.ts';
import { InterlockError } from '../core/errors.ts';
import type { LeadToOrderDeps } from '../flows/lead-to-order/deps.ts';
import { OPPORTUNITY_KEY } from '../flows/lead-to-order/stripe-steps.ts';

/** A deal across the three systems. */
export interface DealStanding {
  opportunityId: string;
  salesforce: {
    stage: string;
    status: string | null;
    error: string | null;
    orderNumber: string | null;
    subscriptionId: string | null;
    billingStatus: string | null;
    /** Renewal and amendment opportunities Interlock made from Stripe (`Renewal_Of__c`). */
    renewals: string[];
  };
  /** NetSuite sales orders with external id = the opportunity (one, when all is well). */
  netsuite: Array<{ id: string; tranid: string; status: string }>;
  /** Stripe subscriptions made for the opportunity, each with its invoices (newest first). */
  stripe: Array<{ id: string; status: string; customer: string; invoices: StandingInvoice[] }>;
}

/** A Stripe invoice, and the status of the NetSuite invoice made for it (external id = its id). */
export interface StandingInvoice {
  id: string;
  status: string;
  reason: string | null;
  /** `Paid In Full`, `Open`…; null when NetSuite has no invoice for it. */
  netsuite: string | null;
}

const OPPORTUNITY_FIELDS = 'Id, StageName, Integration_Status__c, Integration_Error__c, NetSuite_Order_Number__c, Stripe_Subscription_Id__c, Billing_Status__c';

/** Reads the standing of each opportunity in `ids`. */
export async function readStandings(systems: LeadToOrderDeps, ids: readonly string[]): Promise<Map<string, DealStanding>> {
  const out = new Map<string, DealStanding>();
  if (ids.length === 0) return out;
  const list = ids.map((id) => `'${recordId(id)}'`).join(', ');
  for await (const r of queryRecords(systems.salesforce, { soql: `SELECT ${OPPORTUNITY_FIELDS} FROM Opportunity WHERE Id IN (${list})` })) {
    const text = (k: string) => (typeof r[k] === 'string' && r[k] !== '' ? (r[k] as string) : null);
    out.set(String(r['Id']), {
      opportunityId: String(r['Id']),
      salesforce: {
        stage: String(r['StageName']),
        status: text('Integration_Status__c'),
        error: text('Integration_Error__c'),
        orderNumber: text('NetSuite_Order_Number__c'),
        subscriptionId: text('Stripe_Subscription_Id__c'),
        billingStatus: text('Billing_Status__c'),
        renewals: [],
      },
      netsuite: [],
      stripe: [],
    });
  }
  for await (const r of queryRecords(systems.salesforce, { soql: `SELECT Name, Renewal_Of__c FROM Opportunity WHERE Renewal_Of__c IN (${list})` })) {
    out.get(String(r['Renewal_Of__c']))?.salesforce.renewals.push(String(r['Name']));
  }
  const quoted = ids.map((id) => `'${recordId(id)}'`).join(', ');
  for await (const row of suiteQl(systems.netsuite, { q: `SELECT id, tranid, status, externalid FROM transaction WHERE type = 'SalesOrd' AND externalid IN (${quoted})` })) {
    out.get(row['externalid'] ?? '')?.netsuite.push({ id: row['id'] ?? '', tranid: row['tranid'] ?? '', status: row['status'] ?? '' });
  }
  for await (const sub of systems.stripe.list<StripeSubscription>('subscriptions', { status: 'all' })) {
    const deal = out.get(sub.metadata[OPPORTUNITY_KEY] ?? '');
    if (deal === undefined) continue;
    const invoices: StandingInvoice[] = [];
    for await (const inv of listSubscriptionInvoices(systems.stripe, { subscriptionId: sub.id })) {
      invoices.push({ id: inv.id, status: inv.status, reason: (inv as { billing_reason?: string | null }).billing_reason ?? null, netsuite: await netSuiteInvoiceStatus(systems, inv.id) });
    }
    deal.stripe.push({ id: sub.id, status: sub.status, customer: sub.customer, invoices });
  }
  return out;
}

async function netSuiteInvoiceStatus(systems: LeadToOrderDeps, stripeInvoiceId: string): Promise<string | null> {
  try {
    return (await getInvoice(systems.netsuite, { externalId: stripeInvoiceId })).status?.refName ?? null;
  } catch (err) {
    if (err instanceof InterlockError && err.code === 'not-found') return null;
    throw err;
  }
}

/** One line: where the deal stands in each system. */
export function describeStanding(s: DealStanding): string {
  const sf = s.salesforce;
  const invoices = s.stripe.flatMap((x) => x.invoices).map((i) => i.netsuite ?? '—');
  const so = `${s.netsuite.map((o) => o.tranid).join('+') || '—'}${invoices.length > 0 ? ` (invoices: ${invoices.join(', ')})` : ''}`;
  const subs = s.stripe.map((x) => `${x.status}${x.invoices.length > 0 ? ` (${x.invoices.map((i) => i.status).join(', ')})` : ''}`).join('; ') || '—';
  const status = sf.status ?? (sf.stage === 'Closed Won' ? 'Closed Won' : sf.stage);
  const renewals = sf.renewals.length === 0 ? '' : ` · ${sf.renewals.length} renewal opp.`;
  return `Salesforce ${status}${sf.billingStatus === null ? '' : ` · billing ${sf.billingStatus}`}${renewals} │ NetSuite ${so} │ Stripe ${subs}`;
}
