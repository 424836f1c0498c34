/**
 * Fidelity of the Stripe sandbox, checked with Stripe's official `stripe` client, unchanged but
 * for host, port and protocol: objects, auto-pagination, idempotency, error classes, signed
 * webhooks and test clocks behave as the client expects of the real API.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import Stripe from 'stripe';
import type { SandboxInstance } from '../kit/index.ts';
import { stripeSandbox } from './stripe-sandbox.ts';

const DAY = 86_400;

describe('Stripe sandbox with the official client', () => {
  let sandbox: SandboxInstance;
  let stripe: Stripe;
  let receiver: FastifyInstance;
  let hookUrl = '';
  const hooks: { body: string; signature: string }[] = [];
  let failHooks = 0;

  const client = (options: Stripe.StripeConfig = {}): Stripe => {
    const url = new URL(sandbox.url);
    return new Stripe('sk_test_sandbox', { host: url.hostname, port: Number(url.port), protocol: 'http', ...options });
  };

  before(async () => {
    sandbox = await stripeSandbox.start({ seed: true });
    stripe = client({ maxNetworkRetries: 0 });
    receiver = Fastify();
    receiver.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    receiver.post('/stripe', async (request, reply) => {
      if (failHooks > 0) {
        failHooks -= 1;
        return reply.code(500).send('not now');
      }
      hooks.push({ body: String(request.body), signature: String(request.headers['stripe-signature']) });
      return { received: true };
    });
    hookUrl = `${await receiver.listen({ host: '127.0.0.1', port: 0 })}/stripe`;
  });
  after(async () => {
    await sandbox.close();
    await receiver.close();
  });
  beforeEach(async () => {
    await sandbox.reset();
    hooks.length = 0;
    failHooks = 0;
  });

  it('creates a customer, product, price and subscription whose first invoice is paid', async () => {
    const customer = await stripe.customers.create({ email: 'ops@initech.example', name: 'Initech', metadata: { crm: '001A' } });
    assert.match(customer.id, /^cus_/);
    assert.deepEqual(customer.metadata, { crm: '001A' });
    const product = await stripe.products.create({ name: 'Widget plan' });
    assert.match(product.id, /^prod_/);
    const price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1500, recurring: { interval: 'month' } });
    assert.match(price.id, /^price_/);
    assert.equal(price.type, 'recurring');
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id, quantity: 3 }],
      expand: ['latest_invoice'],
    });
    assert.match(subscription.id, /^sub_/);
    assert.equal(subscription.status, 'active');
    assert.match(subscription.items.data[0]?.id ?? '', /^si_/);
    const invoice = subscription.latest_invoice as Stripe.Invoice;
    assert.match(invoice.id ?? '', /^in_/);
    assert.equal(invoice.status, 'paid');
    assert.equal(invoice.amount_paid, 4500);
    const events = await stripe.events.list({ limit: 100 });
    const types = events.data.map((e) => e.type).reverse();
    assert.deepEqual(
      types.filter((t) => t.startsWith('customer.') || t.startsWith('invoice.')),
      [
        'customer.created',
        'customer.subscription.created',
        'invoice.created',
        'invoice.finalized',
        'invoice.paid',
        'invoice.payment_succeeded',
        'customer.subscription.updated',
      ],
    );
  });

  it('lists every object once through auto-pagination, newest first', async () => {
    const made: string[] = [];
    for (let i = 0; i < 23; i++) made.push((await stripe.customers.create({ name: `Customer ${i}` })).id);
    const seen: string[] = [];
    for await (const customer of stripe.customers.list({ limit: 5 })) seen.push(customer.id);
    const seededCustomers = 2;
    assert.equal(seen.length, made.length + seededCustomers);
    assert.deepEqual(seen.slice(0, made.length), [...made].reverse());
    const page = await stripe.customers.list({ limit: 5 });
    assert.equal(page.has_more, true);
    assert.equal(page.data.length, 5);
  });

  it('finds customers with the search query language, paging through results', async () => {
    for (let i = 0; i < 7; i++) {
      await stripe.customers.create({ name: `Search ${i}`, email: `s${i}@search.example`, metadata: { crm: i === 3 ? '001THREE' : 'other' } });
    }
    const exact = await stripe.customers.search({ query: "metadata['crm']:'001THREE'" });
    assert.equal(exact.object, 'search_result');
    assert.deepEqual(exact.data.map((c) => c.name), ['Search 3']);
    const found: string[] = [];
    for await (const customer of stripe.customers.search({ query: "email~'search.example' AND -name:'Search 0'", limit: 2 })) {
      found.push(customer.name ?? '');
    }
    assert.deepEqual(found, ['Search 6', 'Search 5', 'Search 4', 'Search 3', 'Search 2', 'Search 1']);
    await assert.rejects(stripe.customers.search({ query: "colour:'red'" }), Stripe.errors.StripeInvalidRequestError);
  });

  it('replays the stored response for a retry with the same Idempotency-Key', async () => {
    const first = await stripe.customers.create({ email: 'once@example.com' }, { idempotencyKey: 'key-1' });
    const again = await stripe.customers.create({ email: 'once@example.com' }, { idempotencyKey: 'key-1' });
    assert.equal(again.id, first.id);
    assert.equal(again.lastResponse.headers['idempotent-replayed'], 'true');
    assert.equal(first.lastResponse.headers['idempotent-replayed'], undefined);
    const all = await stripe.customers.list({ email: 'once@example.com' });
    assert.equal(all.data.length, 1);
  });

  it('refuses the same key with different parameters as a StripeIdempotencyError', async () => {
    await stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'key-2' });
    await assert.rejects(
      stripe.customers.create({ email: 'b@example.com' }, { idempotencyKey: 'key-2' }),
      (err: unknown) => {
        assert.ok(err instanceof Stripe.errors.StripeIdempotencyError);
        assert.equal(err.statusCode, 400);
        assert.match(err.message, /same parameters/);
        return true;
      },
    );
  });

  it('answers 409 idempotency_key_in_use while the first request with the key is in flight', async () => {
    sandbox.faults.patch({ latencyMs: 1000 });
    const slow = stripe.customers.create({ email: 'slow@example.com' }, { idempotencyKey: 'key-3' });
    await waitFor(async () => (await adminState(sandbox)).idempotencyKeysInFlight === 1);
    await assert.rejects(
      stripe.customers.create({ email: 'slow@example.com' }, { idempotencyKey: 'key-3' }),
      (err: unknown) => {
        assert.ok(err instanceof Stripe.errors.StripeError);
        assert.equal(err.statusCode, 409);
        assert.equal(err.type, 'StripeAPIError');
        assert.equal(err.raw && (err.raw as { type?: string }).type, 'idempotency_error');
        assert.equal(err.code, 'idempotency_key_in_use');
        return true;
      },
    );
    const created = await slow;
    sandbox.faults.patch({ latencyMs: 0 });
    const replay = await stripe.customers.create({ email: 'slow@example.com' }, { idempotencyKey: 'key-3' });
    assert.equal(replay.id, created.id);
  });

  it('recovers a committed-then-dropped create by retrying with the same key, without a duplicate', async () => {
    sandbox.faults.patch({ dropResponseRate: 1 });
    await assert.rejects(stripe.customers.create({ email: 'dropped@example.com' }, { idempotencyKey: 'key-4' }));
    sandbox.faults.patch({ dropResponseRate: 0 });
    const retried = await stripe.customers.create({ email: 'dropped@example.com' }, { idempotencyKey: 'key-4' });
    assert.equal(retried.lastResponse.headers['idempotent-replayed'], 'true');
    const all = await stripe.customers.list({ email: 'dropped@example.com' });
    assert.deepEqual(all.data.map((c) => c.id), [retried.id]);
  });

  it('maps failures to the right Stripe error classes', async () => {
    await assert.rejects(stripe.customers.retrieve('cus_missing'), (err: unknown) => {
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(err.code, 'resource_missing');
      assert.equal(err.message, "No such customer: 'cus_missing'");
      return true;
    });
    await assert.rejects(stripe.prices.create({ currency: 'usd', unit_amount: 100 }), (err: unknown) => {
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(err.param, 'product');
      return true;
    });
    const url = new URL(sandbox.url);
    const badKey = new Stripe('sk_live_nope', { host: url.hostname, port: Number(url.port), protocol: 'http' });
    await assert.rejects(badKey.customers.list(), Stripe.errors.StripeAuthenticationError);
    await assert.rejects(
      stripe.paymentIntents.create({ amount: 500, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true }),
      (err: unknown) => {
        assert.ok(err instanceof Stripe.errors.StripeCardError);
        assert.equal(err.code, 'card_declined');
        assert.equal(err.decline_code, 'generic_decline');
        assert.equal(err.payment_intent?.status, 'requires_payment_method');
        return true;
      },
    );
    sandbox.faults.patch({ rateLimit: { burst: 1 } });
    await assert.rejects(stripe.customers.list(), (err: unknown) => {
      assert.ok(err instanceof Stripe.errors.StripeRateLimitError);
      assert.equal(err.code, 'rate_limit');
      return true;
    });
    sandbox.faults.patch({ maintenance: true });
    await assert.rejects(stripe.customers.list(), Stripe.errors.StripeAPIError);
  });

  it('sends signed webhooks that stripe.webhooks.constructEvent verifies, retrying failed deliveries', async () => {
    const endpoint = await stripe.webhookEndpoints.create({ url: hookUrl, enabled_events: ['customer.created'] });
    assert.match(endpoint.secret ?? '', /^whsec_/);
    failHooks = 1;
    const customer = await stripe.customers.create({ name: 'Hooked' });
    await waitFor(async () => hooks.length === 1);
    const [hook] = hooks;
    assert.ok(hook !== undefined);
    const event = stripe.webhooks.constructEvent(hook.body, hook.signature, endpoint.secret ?? '');
    assert.equal(event.type, 'customer.created');
    assert.equal((event.data.object as Stripe.Customer).id, customer.id);
    assert.match(event.id, /^evt_/);
    assert.throws(
      () => stripe.webhooks.constructEvent(hook.body, hook.signature, 'whsec_wrong'),
      Stripe.errors.StripeSignatureVerificationError,
    );
    const listed = await stripe.webhookEndpoints.list();
    assert.equal(listed.data[0]?.secret, undefined);
  });

  it('delivers duplicate webhooks under the duplicateEventRate fault, each one verifiable', async () => {
    const endpoint = await stripe.webhookEndpoints.create({ url: hookUrl, enabled_events: ['*'] });
    sandbox.faults.patch({ duplicateEventRate: 1 });
    await stripe.products.create({ name: 'Twice' });
    await waitFor(async () => hooks.length === 2);
    const events = hooks.map((h) => stripe.webhooks.constructEvent(h.body, h.signature, endpoint.secret ?? ''));
    assert.equal(events[0]?.id, events[1]?.id);
    assert.equal(events[0]?.type, 'product.created');
  });

  it('renews subscriptions when a test clock advances: paid, then payment_failed', async () => {
    const start = Math.floor(Date.UTC(2026, 0, 15) / 1000);
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({ name: 'Clocked', test_clock: clock.id });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'price_SandboxSeatsMonthly', quantity: 4 }],
    });
    const advanced = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 32 * DAY });
    assert.equal(advanced.status, 'advancing');
    assert.equal((await stripe.testHelpers.testClocks.retrieve(clock.id)).status, 'ready');

    const renewed = await stripe.subscriptions.retrieve(subscription.id);
    assert.equal(renewed.status, 'active');
    assert.equal(renewed.items.data[0]?.current_period_start, Math.floor(Date.UTC(2026, 1, 15) / 1000));
    assert.equal(renewed.items.data[0]?.current_period_end, Math.floor(Date.UTC(2026, 2, 15) / 1000));
    const paid = await stripe.events.list({ type: 'invoice.paid' });
    const cycle = paid.data.map((e) => e.data.object as Stripe.Invoice).find((i) => i.billing_reason === 'subscription_cycle');
    assert.equal(cycle?.amount_paid, 10_000);

    await stripe.customers.update(customer.id, { metadata: { sandbox_payment_outcome: 'fail' } });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 60 * DAY });
    const failed = await stripe.events.list({ type: 'invoice.payment_failed' });
    assert.equal(failed.data.length, 1);
    const failedInvoice = failed.data[0]?.data.object as Stripe.Invoice;
    assert.equal(failedInvoice.status, 'open');
    assert.equal(failedInvoice.customer, customer.id);
    assert.equal((await stripe.subscriptions.retrieve(subscription.id)).status, 'past_due');
    const invoices = await stripe.invoices.list({ customer: customer.id });
    assert.deepEqual(invoices.data.map((i) => i.status), ['open', 'paid', 'paid']);
  });
});

async function adminState(sandbox: SandboxInstance): Promise<Record<string, unknown>> {
  return (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as Record<string, unknown>;
}

// Polls a condition that another actor (a webhook, a slow request) makes true.
async function waitFor(condition: () => Promise<boolean>, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not reached');
}
