/**
 * Test set-up of lead-to-order: the four seeded sandboxes on 127.0.0.1:0, flow options pointing
 * at them, and what tests read back from each system (the opportunity's integration fields,
 * sales orders and subscriptions per deal). Also drives a run on a manual clock.
 */
import type { ManualClock } from '../../core/clock.ts';
import { suiteQl } from '../../connectors/netsuite/actions/suiteql-query.ts';
import type { NetSuiteClient } from '../../connectors/netsuite/client.ts';
import { credentialsOf } from '../../connectors/netsuite/test-support.ts';
import type { SalesforceClient } from '../../connectors/salesforce/client.ts';
import { SANDBOX_CLIENT } from '../../connectors/salesforce/test-support.ts';
import type { StripeClient } from '../../connectors/stripe/client.ts';
import type { StripeSubscription } from '../../connectors/stripe/types.ts';
import type { FlowRuntime } from '../../engine/flows/runtime.ts';
import type { RunDetail } from '../../engine/flows/views.ts';
import { avalaraSandbox } from '../../sandboxes/avalara/avalara-sandbox.ts';
import type { SandboxInstance } from '../../sandboxes/kit/index.ts';
import { netSuiteSandbox } from '../../sandboxes/netsuite/netsuite-sandbox.ts';
import { createSalesforceSandbox } from '../../sandboxes/salesforce/salesforce-sandbox.ts';
import { stripeSandbox } from '../../sandboxes/stripe/stripe-sandbox.ts';
import type { LeadToOrderOptions } from './deps.ts';
import { OPPORTUNITY_KEY } from './stripe-steps.ts';

/** The four sandboxes. */
export interface Sandboxes {
  salesforce: SandboxInstance;
  netsuite: SandboxInstance;
  stripe: SandboxInstance;
  avalara: SandboxInstance;
  /** Flow options pointing at them. */
  options: LeadToOrderOptions;
  /** Resets all four (re-seeded, no faults). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the four seeded sandboxes. */
export async function startSandboxes(): Promise<Sandboxes> {
  const at = { host: '127.0.0.1', port: 0, seed: true };
  const [salesforce, netsuite, stripe, avalara] = await Promise.all([
    createSalesforceSandbox().start(at),
    netSuiteSandbox.start(at),
    stripeSandbox.start(at),
    avalaraSandbox.start(at),
  ]);
  const allow = ['127.0.0.1'];
  const options: LeadToOrderOptions = {
    salesforce: { loginUrl: salesforce.url, credentials: { kind: 'client-credentials', ...SANDBOX_CLIENT }, allow },
    netsuite: { baseUrl: netsuite.url, credentials: await credentialsOf(netsuite), allow },
    stripe: { secretKey: 'sk_test_lead_to_order', baseUrl: stripe.url, allow },
    avalara: { accountId: '2001', licenseKey: 'license', baseUrl: avalara.url, allow },
  };
  const all = [salesforce, netsuite, stripe, avalara];
  return {
    salesforce,
    netsuite,
    stripe,
    avalara,
    options,
    reset: async () => {
      await Promise.all(all.map((s) => s.reset()));
    },
    close: async () => {
      await Promise.all(all.map((s) => s.close()));
    },
  };
}

/** The Id of the seeded opportunity named `name`. */
export async function opportunityId(client: SalesforceClient, name: string): Promise<string> {
  const res = await client.rest<{ records: Array<{ Id: string }> }>({ method: 'GET', path: 'query', query: { q: `SELECT Id FROM Opportunity WHERE Name = '${name}'` } });
  const id = res.body.records[0]?.Id;
  if (id === undefined) throw new Error(`no opportunity named ${name}`);
  return id;
}

/** Updates a Salesforce record as a user would. */
export async function patchRecord(client: SalesforceClient, type: string, id: string, fields: Record<string, unknown>): Promise<void> {
  await client.rest({ method: 'PATCH', path: `sobjects/${type}/${id}`, json: fields });
}

/** The opportunity's integration fields. */
export interface IntegrationFields {
  Integration_Status__c: string | null;
  Integration_Error__c: string | null;
  NetSuite_Order_Number__c: string | null;
  Stripe_Customer_Id__c: string | null;
  Stripe_Subscription_Id__c: string | null;
}

/** Reads the opportunity's integration fields. */
export async function integrationFields(client: SalesforceClient, id: string): Promise<IntegrationFields> {
  const fields = 'Integration_Status__c,Integration_Error__c,NetSuite_Order_Number__c,Stripe_Customer_Id__c,Stripe_Subscription_Id__c';
  const res = await client.rest<IntegrationFields & { attributes?: unknown }>({ method: 'GET', path: `sobjects/Opportunity/${id}`, query: { fields } });
  const { attributes: _attributes, ...values } = res.body;
  return values;
}

/** The opportunity's line items, with product codes. */
export async function lineIds(client: SalesforceClient, id: string): Promise<Array<{ Id: string; code: string }>> {
  const q = `SELECT Id, Product2.ProductCode FROM OpportunityLineItem WHERE OpportunityId = '${id}'`;
  const res = await client.rest<{ records: Array<{ Id: string; Product2: { ProductCode: string } }> }>({ method: 'GET', path: 'query', query: { q } });
  return res.body.records.map((r) => ({ Id: r.Id, code: r.Product2.ProductCode }));
}

/** NetSuite sales orders made for the opportunity. */
export async function salesOrdersOf(client: NetSuiteClient, opportunity: string): Promise<Array<{ id: string; tranid: string; memo: string }>> {
  const rows: Array<{ id: string; tranid: string; memo: string }> = [];
  for await (const row of suiteQl(client, { q: `SELECT id, tranid, memo FROM transaction WHERE type = 'SalesOrd' AND externalid = '${opportunity}'` })) {
    rows.push({ id: row['id'] ?? '', tranid: row['tranid'] ?? '', memo: row['memo'] ?? '' });
  }
  return rows;
}

/** Stripe subscriptions made for the opportunity, with their status. */
export async function subscriptionsOf(client: StripeClient, opportunity: string): Promise<Array<{ id: string; status: string; customer: string }>> {
  const subs: Array<{ id: string; status: string; customer: string }> = [];
  for await (const sub of client.list<StripeSubscription>('subscriptions', { status: 'all' })) {
    if (sub.metadata[OPPORTUNITY_KEY] === opportunity) subs.push({ id: sub.id, status: sub.status, customer: sub.customer });
  }
  return subs;
}

const FINAL = new Set(['completed', 'failed', 'compensated', 'compensation-failed', 'cancelled']);

/**
 * Runs `runId` until it ends or waits for a person or an event, moving the clock to each retry's
 * time instead of waiting for it.
 */
export async function drive(rt: FlowRuntime, clock: ManualClock, runId: number): Promise<RunDetail> {
  for (let i = 0; i < 1000; i++) {
    await rt.worker.runDue();
    const run = await rt.runs.get(runId);
    if (FINAL.has(run.status) || (run.status === 'waiting' && run.waitingFor !== null)) return run;
    if (run.wakeAt !== null) clock.advance(Math.max(1, Date.parse(run.wakeAt) - clock.now()));
  }
  throw new Error(`run ${runId} did not settle`);
}

/** A Stripe event body as delivered to webhooks. */
export interface StripeEventBody {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> & { id: string }; previous_attributes?: Record<string, unknown> };
}

/** Stripe's events of `type` about objects matching `filter`, oldest first (what the webhook would deliver). */
export async function stripeEvents(client: StripeClient, type: string, filter: (object: StripeEventBody['data']['object']) => boolean = () => true): Promise<StripeEventBody[]> {
  const out: StripeEventBody[] = [];
  for await (const event of client.list<StripeEventBody>('events', { type })) if (filter(event.data.object)) out.push(event);
  return out.reverse();
}

/** Renews subscriptions on the Stripe sandbox (`POST /__sandbox/advance`); answers the subscriptions afterwards. */
export async function advanceStripe(
  sandbox: SandboxInstance,
  body: { subscription?: string; periods?: number; paymentOutcome?: 'fail' | 'succeed' },
): Promise<Array<{ id: string; status: string; current_period_start: number; latest_invoice: string | null; latest_invoice_status: string | null }>> {
  const res = await fetch(`${sandbox.url}/__sandbox/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { advanced?: []; error?: string };
  if (!res.ok || json.advanced === undefined) throw new Error(`advance failed: ${json.error ?? res.status}`);
  return json.advanced;
}

/** The billing feedback fields of an account or opportunity. */
export interface BillingFields {
  Billing_Status__c: string | null;
  Last_Invoice_Id__c: string | null;
  Last_Payment_Date__c: string | null;
}

/** Reads the billing feedback fields of a record. */
export async function billingFields(client: SalesforceClient, sobject: 'Account' | 'Opportunity', id: string): Promise<BillingFields> {
  const res = await client.rest<BillingFields & { attributes?: unknown }>({ method: 'GET', path: `sobjects/${sobject}/${id}`, query: { fields: 'Billing_Status__c,Last_Invoice_Id__c,Last_Payment_Date__c' } });
  const { attributes: _attributes, ...values } = res.body;
  return values;
}

/** NetSuite transactions of `type` (`CustInvc`, `CustPymt`, `SalesOrd`) with external id `externalId`. */
export async function transactionsByExternalId(client: NetSuiteClient, type: string, externalId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const row of suiteQl(client, { q: `SELECT id FROM transaction WHERE type = '${type}' AND externalid = '${externalId}'` })) ids.push(row['id'] ?? '');
  return ids;
}
