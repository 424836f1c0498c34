/**
 * Out-of-order and duplicate deliveries from the Stripe sandbox (its `outOfOrderEvents` and
 * `duplicateEventRate` faults): a consumer that dedupes on the event id and skips stale events
 * by {@link isStale} ends with each subscription and invoice in the state Stripe holds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import type { SandboxInstance } from '../../../sandboxes/kit/index.ts';
import { stripeSandbox } from '../../../sandboxes/stripe/stripe-sandbox.ts';
import { createSubscription } from '../actions/create-subscription.ts';
import { retrieveInvoice } from '../actions/retrieve-invoice.ts';
import { retrieveSubscription } from '../actions/retrieve-subscription.ts';
import { StripeClient } from '../client.ts';
import { eventVersion, isStale, type StripeEventVersion } from './staleness.ts';
import { INVOICE_EVENT_TYPES, StripeWebhookVerifier, SUBSCRIPTION_EVENT_TYPES } from './webhook.ts';

describe('Stripe events out of order', () => {
  let sandbox: SandboxInstance;
  let stripe: StripeClient;
  let receiver: FastifyInstance;
  let verifier: StripeWebhookVerifier | undefined;
  const seen = new Set<string>();
  const applied = new Map<string, { version: StripeEventVersion; status: string }>();
  let deliveries = 0;
  let duplicates = 0;
  let skipped = 0;

  before(async () => {
    sandbox = await stripeSandbox.start({ seed: true, faults: { outOfOrderEvents: true, duplicateEventRate: 1 } });
    stripe = new StripeClient({ secretKey: 'sk_test_order', baseUrl: sandbox.url, allow: ['127.0.0.1'] });
    receiver = Fastify();
    receiver.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    receiver.post('/stripe', async (request) => {
      deliveries += 1;
      const event = verifier?.verify({ headers: request.headers, rawBody: String(request.body) });
      if (event === undefined || event.kind === 'ignored') return { received: true };
      if (seen.has(event.id)) {
        duplicates += 1;
        return { received: true };
      }
      seen.add(event.id);
      const version = eventVersion(event);
      const status = event.kind === 'invoice' ? event.invoice.status : event.subscription.status;
      if (isStale(version, applied.get(version.objectId)?.version)) skipped += 1;
      else applied.set(version.objectId, { version, status });
      return { received: true };
    });
    const url = `${await receiver.listen({ host: '127.0.0.1', port: 0 })}/stripe`;
    const endpoint = await stripe.post<{ secret: string }>('webhook_endpoints', { url, enabled_events: [...INVOICE_EVENT_TYPES, ...SUBSCRIPTION_EVENT_TYPES] }, 'k-endpoint');
    verifier = new StripeWebhookVerifier({ secrets: [endpoint.secret] });
  });
  after(async () => {
    await stripe.close();
    await receiver.close();
    await sandbox.close();
  });

  it('skips the stale ones and ends where Stripe is', async () => {
    const subscriptions: string[] = [];
    for (let i = 0; i < 4; i++) {
      const customer = await stripe.post<{ id: string }>('customers', { name: `Shuffled ${i}` }, `k-cus-${i}`);
      const sub = await createSubscription(stripe, { customerId: customer.id, items: [{ priceId: 'price_SandboxSeatsMonthly', quantity: 1 }], idempotencyKey: `k-sub-${i}` });
      subscriptions.push(sub.id);
    }
    // Per subscription: created + updated, invoice created + finalized + paid; each twice.
    const expected = subscriptions.length * 5 * 2;
    for (let i = 0; i < 400 && deliveries < expected; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.equal(deliveries, expected);
    assert.equal(duplicates, expected / 2);
    for (const id of subscriptions) {
      const sub = await retrieveSubscription(stripe, id);
      assert.equal(applied.get(id)?.status, sub.status);
      const invoiceId = typeof sub.latest_invoice === 'string' ? sub.latest_invoice : (sub.latest_invoice?.id ?? '');
      assert.equal(applied.get(invoiceId)?.status, (await retrieveInvoice(stripe, invoiceId)).status);
    }
    // Held and shuffled, some older events arrive after newer ones and must have been skipped.
    assert.ok(skipped > 0, 'the shuffle put no event after a newer one');
  });
});
