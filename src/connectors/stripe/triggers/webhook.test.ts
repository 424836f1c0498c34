/**
 * The Stripe webhook trigger with the sandbox's real, signed deliveries: a local receiver gets
 * the events of a subscription and its renewal under a test clock; each verifies and parses;
 * tampering, a wrong secret and a stale timestamp are refused; out-of-order events are recognised.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { ManualClock } from '../../../core/clock.ts';
import { InterlockError } from '../../../core/errors.ts';
import { signStripe } from '../../../security/stripe-signature.ts';
import type { SandboxInstance } from '../../../sandboxes/kit/index.ts';
import { stripeSandbox } from '../../../sandboxes/stripe/stripe-sandbox.ts';
import { createSubscription } from '../actions/create-subscription.ts';
import { StripeClient } from '../client.ts';
import { eventVersion, isStale } from './staleness.ts';
import { INVOICE_EVENT_TYPES, parseStripeEvent, StripeWebhookVerifier, SUBSCRIPTION_EVENT_TYPES, type StripeDelivery, type StripeWebhookEvent } from './webhook.ts';

const DAY = 86_400;

describe('Stripe webhook trigger', () => {
  let sandbox: SandboxInstance;
  let stripe: StripeClient;
  let receiver: FastifyInstance;
  let secret = '';
  const deliveries: StripeDelivery[] = [];
  const events: StripeWebhookEvent[] = [];
  let subscriptionId = '';

  before(async () => {
    sandbox = await stripeSandbox.start({ seed: true });
    stripe = new StripeClient({ secretKey: 'sk_test_hooks', baseUrl: sandbox.url, allow: ['127.0.0.1'] });
    receiver = Fastify();
    // The signature covers the exact bytes, so the body is kept as received.
    receiver.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    receiver.post('/stripe', async (request) => {
      deliveries.push({ headers: request.headers, rawBody: String(request.body) });
      return { received: true };
    });
    const hookUrl = `${await receiver.listen({ host: '127.0.0.1', port: 0 })}/stripe`;
    const endpoint = await stripe.post<{ secret: string }>('webhook_endpoints', { url: hookUrl, enabled_events: [...INVOICE_EVENT_TYPES, ...SUBSCRIPTION_EVENT_TYPES, 'invoice.payment_succeeded', 'customer.created'] }, 'k-endpoint');
    secret = endpoint.secret;

    const start = Math.floor(Date.UTC(2026, 2, 1) / 1000);
    const clock = await stripe.post<{ id: string }>('test_helpers/test_clocks', { frozen_time: start }, 'k-clock');
    const customer = await stripe.post<{ id: string }>('customers', { name: 'Hooked', test_clock: clock.id }, 'k-customer');
    const sub = await createSubscription(stripe, { customerId: customer.id, items: [{ priceId: 'price_SandboxSeatsMonthly', quantity: 2 }], idempotencyKey: 'k-sub' });
    subscriptionId = sub.id;
    await stripe.post(`test_helpers/test_clocks/${clock.id}/advance`, { frozen_time: start + 32 * DAY }, 'k-advance');
    const verifier = new StripeWebhookVerifier({ secrets: ['whsec_old_rolled_out', secret] });
    // 1 customer + 1 subscription created + 2 updates + 2 × (invoice created, finalized, paid, payment_succeeded).
    await waitFor(() => deliveries.length >= 12);
    for (const d of deliveries) events.push(verifier.verify(d));
    events.sort((a, b) => a.created - b.created);
  });
  after(async () => {
    await stripe.close();
    await receiver.close();
    await sandbox.close();
  });

  it('verifies and parses every signed delivery into the typed union', () => {
    const typed = events.filter((e) => e.kind !== 'ignored');
    const invoices = events.flatMap((e) => (e.kind === 'invoice' ? [e] : []));
    assert.deepEqual(
      invoices.filter((e) => e.type === 'invoice.paid').map((e) => [e.invoice.billing_reason, e.invoice.amount_paid]),
      [
        ['subscription_create', 5_000],
        ['subscription_cycle', 5_000],
      ],
    );
    assert.deepEqual(new Set(invoices.map((e) => e.type)), new Set(['invoice.created', 'invoice.finalized', 'invoice.paid']));
    const subs = events.flatMap((e) => (e.kind === 'subscription' ? [e] : []));
    assert.deepEqual(new Set(subs.map((e) => e.type)), new Set(['customer.subscription.created', 'customer.subscription.updated']));
    assert.ok(subs.every((e) => e.subscription.id === subscriptionId));
    assert.ok(subs.some((e) => e.type === 'customer.subscription.updated' && e.previousAttributes !== undefined));
    assert.deepEqual(new Set(events.filter((e) => e.kind === 'ignored').map((e) => e.type)), new Set(['customer.created', 'invoice.payment_succeeded']));
    assert.ok(typed.every((e) => /^evt_/.test(e.id) && e.created > 0));
  });

  it('refuses a tampered body, an unknown secret and a signature outside the 300 s tolerance', () => {
    const d = deliveries.find((x) => x.rawBody.includes('"invoice.paid"'));
    assert.ok(d !== undefined);
    const verifier = new StripeWebhookVerifier({ secrets: [secret] });
    const tampered = d.rawBody.replace(/"amount_paid":\s*5000/, '"amount_paid": 1');
    assert.notEqual(tampered, d.rawBody);
    assert.throws(() => verifier.verify({ ...d, rawBody: tampered }), isAuth('no-matching-signature'));
    assert.throws(() => new StripeWebhookVerifier({ secrets: ['whsec_other'] }).verify(d), isAuth('no-matching-signature'));
    assert.throws(() => verifier.verify({ ...d, headers: {} }), isAuth('missing-header'));

    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const signedAt = Math.floor(clock.now() / 1000);
    const fresh = { headers: { 'stripe-signature': signStripe(d.rawBody, secret, signedAt) }, rawBody: d.rawBody };
    const timed = new StripeWebhookVerifier({ secrets: [secret], clock });
    clock.advance(300_000);
    assert.equal(timed.verify(fresh).type, 'invoice.paid');
    clock.advance(1_000);
    assert.throws(() => timed.verify(fresh), isAuth('stale-timestamp'));
  });

  it('answers a body that is not a Stripe event with a validation error', () => {
    for (const body of ['not json', '[]', '{"object":"event","id":"evt_1","type":"invoice.paid"}', '{"object":"event","id":"evt_1","type":"invoice.paid","created":1,"data":{"object":{"object":"customer","id":"cus_1"}}}']) {
      assert.throws(() => parseStripeEvent(body), (err: unknown) => err instanceof InterlockError && err.code === 'validation');
    }
    assert.throws(() => new StripeWebhookVerifier({ secrets: [] }), (err: unknown) => err instanceof InterlockError && err.code === 'validation');
  });

  it('recognises out-of-order subscription and invoice events as stale', () => {
    const subs = events.flatMap((e) => (e.kind === 'subscription' ? [e] : []));
    const created = subs.find((e) => e.type === 'customer.subscription.created');
    const renewed = subs.filter((e) => e.type === 'customer.subscription.updated').at(-1);
    assert.ok(created !== undefined && renewed !== undefined);
    assert.equal(isStale(eventVersion(created), eventVersion(renewed)), true);
    assert.equal(isStale(eventVersion(renewed), eventVersion(created)), false);
    assert.equal(isStale(eventVersion(renewed), eventVersion(renewed)), false);
    assert.equal(isStale(eventVersion(created), undefined), false);

    const invoiceEvents = events.flatMap((e) => (e.kind === 'invoice' && e.invoice.billing_reason === 'subscription_create' ? [e] : []));
    const paid = invoiceEvents.find((e) => e.type === 'invoice.paid');
    const finalized = invoiceEvents.find((e) => e.type === 'invoice.finalized');
    assert.ok(paid !== undefined && finalized !== undefined);
    // Same second, so only the invoice's progress tells them apart.
    assert.equal(isStale(eventVersion(finalized), eventVersion(paid)), true);
    assert.equal(isStale(eventVersion(paid), eventVersion(finalized)), false);
    const otherInvoice = events.find((e) => e.kind === 'invoice' && e.invoice.id !== paid.invoice.id);
    assert.ok(otherInvoice?.kind === 'invoice');
    assert.equal(isStale(eventVersion(finalized), eventVersion(otherInvoice)), false);
  });
});

function isAuth(reason: string): (err: unknown) => boolean {
  return (err: unknown) => err instanceof InterlockError && err.code === 'auth' && err.details?.reason === reason;
}

async function waitFor(condition: () => boolean, attempts = 400): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not reached');
}
