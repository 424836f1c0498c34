/**
 * The first story's part of the q2c benchmark (see q2c-harness.ts for the rest): the Salesforce,
 * NetSuite, Stripe and Avalara sandboxes as the story's connectors, closed-won deals made in
 * Salesforce (q2c-deals.ts), booked by hand for the baseline (q2c-baseline.ts), and after each
 * case the Stripe customers tied to an account, which should be one per seeded account.
 */
import { SALESFORCE_SOURCE } from '../../src/connectors/salesforce/triggers/closed-won.ts';
import type { StripeClient } from '../../src/connectors/stripe/client.ts';
import type { StripeCustomer } from '../../src/connectors/stripe/types.ts';
import { loadConfig } from '../../src/core/config.ts';
import { LEAD_TO_ORDER_FLOW } from '../../src/flows/lead-to-order/flow.ts';
import { openStorySystems } from '../../src/flows/story.ts';
import { bookByHand } from './q2c-baseline.ts';
import { createClosedWonDeals } from './q2c-deals.ts';
import type { Q2cStory } from './q2c-harness.ts';

/** Salesforce → NetSuite and Stripe: the built-in lead-to-order flow. */
export const FIRST_STORY: Q2cStory = {
  name: 'first',
  target: { flow: LEAD_TO_ORDER_FLOW, source: SALESFORCE_SOURCE },
  async configValues(sandboxes) {
    const { salesforce, netsuite, stripe, avalara } = sandboxes.urls;
    const state = (await (await fetch(`${netsuite}/__sandbox/state`)).json()) as { m2m: { clientId: string; certificateId: string; privateKeyPem: string } };
    return {
      log: { level: 'error' },
      outbound: { allow: ['127.0.0.1'] },
      connectors: {
        salesforce: { loginUrl: salesforce, clientId: 'interlock-sandbox-client', clientSecret: 'interlock-sandbox-secret', changeDataCapture: { enabled: false } },
        netsuite: { baseUrl: netsuite, clientId: state.m2m.clientId, certificateId: state.m2m.certificateId, privateKey: state.m2m.privateKeyPem },
        stripe: { secretKey: 'sk_test_q2c_bench', baseUrl: stripe },
        avalara: { accountId: '2001', licenseKey: 'q2c-bench-license', baseUrl: avalara },
      },
    };
  },
  makeDeals: (rt, n, tag) => createClosedWonDeals(rt.systems!.salesforce, n, tag),
  outcome: async (rt) => ({ stripe_customers_made: await countStripeCustomers(rt.systems!.stripe) }),
  async openBaseline(values) {
    const systems = await openStorySystems(loadConfig({ values }));
    if (systems === undefined) throw new Error('q2c: the connectors did not configure the story');
    return {
      makeDeals: (n, tag) => createClosedWonDeals(systems.salesforce, n, tag),
      book: (id) => bookByHand(systems, id),
      close: () => systems.close(),
    };
  },
};

/** Stripe customers tied to a Salesforce account (the seed's two are not): one per account is right. */
async function countStripeCustomers(stripe: StripeClient): Promise<number> {
  let n = 0;
  for await (const c of stripe.list<StripeCustomer>('customers')) if (c.metadata['salesforce_account_id'] !== undefined) n += 1;
  return n;
}
