/**
 * The Stripe connector against the Stripe sandbox: every action, pagination, idempotent retries
 * that produce one effect, and Stripe's failures translated into the error taxonomy.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { InterlockError, type ErrorCode } from '../../core/errors.ts';
import type { SandboxInstance } from '../../sandboxes/kit/index.ts';
import { stripeSandbox } from '../../sandboxes/stripe/stripe-sandbox.ts';
import { cancelSubscription } from './actions/cancel-subscription.ts';
import { createCustomer } from './actions/create-customer.ts';
import { createSubscription } from './actions/create-subscription.ts';
import { ensurePrice } from './actions/ensure-price.ts';
import { findCustomerByMetadata } from './actions/find-customer.ts';
import { findLiveSubscriptionByMetadata } from './actions/find-subscription.ts';
import { listSubscriptionInvoices } from './actions/list-subscription-invoices.ts';
import { retrieveInvoice } from './actions/retrieve-invoice.ts';
import { retrieveSubscription } from './actions/retrieve-subscription.ts';
import { StripeClient } from './client.ts';
import { invoiceSubscriptionId, type StripeCustomer, type StripeInvoice } from './types.ts';

const DAY = 86_400;

describe('Stripe connector', () => {
  let sandbox: SandboxInstance;
  let stripe: StripeClient;

  before(async () => {
    sandbox = await stripeSandbox.start({ seed: true });
    stripe = new StripeClient({ secretKey: 'sk_test_connector', baseUrl: sandbox.url, allow: ['127.0.0.1'] });
  });
  after(async () => {
    await stripe.close();
    await sandbox.close();
  });
  beforeEach(async () => {
    await sandbox.reset();
  });

  const customersWithEmail = async (email: string): Promise<StripeCustomer[]> => {
    const found: StripeCustomer[] = [];
    for await (const c of stripe.list<StripeCustomer>('customers', { email })) found.push(c);
    return found;
  };

  it('creates a customer carrying the canonical and Salesforce ids, found again by metadata', async () => {
    const customer = await createCustomer(stripe, {
      canonicalCustomerId: 'cust-42',
      salesforceAccountId: '001ACME',
      name: 'Initech',
      email: 'ap@initech.example',
      metadata: { region: 'emea' },
      idempotencyKey: 'q2c:cust-42:customer',
    });
    assert.match(customer.id, /^cus_/);
    assert.deepEqual(customer.metadata, { region: 'emea', interlock_id: 'cust-42', salesforce_account_id: '001ACME' });
    assert.equal((await findCustomerByMetadata(stripe, 'interlock_id', 'cust-42'))?.id, customer.id);
    assert.equal((await findCustomerByMetadata(stripe, 'salesforce_account_id', '001ACME'))?.id, customer.id);
    assert.equal(await findCustomerByMetadata(stripe, 'interlock_id', 'cust-unknown'), undefined);
    await assert.rejects(findCustomerByMetadata(stripe, 'interlock_id', "x' OR name:'y"), hasCode('validation'));
  });

  it('a retry with the same idempotency key after a dropped response yields one customer', async () => {
    const input = { canonicalCustomerId: 'c-drop', salesforceAccountId: '001D', name: 'Dropped', email: 'drop@example.com', idempotencyKey: 'k-drop' };
    sandbox.faults.patch({ dropResponseRate: 1 });
    await assert.rejects(createCustomer(stripe, input), hasCode('transient'));
    sandbox.faults.patch({ dropResponseRate: 0 });
    const retried = await createCustomer(stripe, input);
    const again = await createCustomer(stripe, input);
    assert.equal(again.id, retried.id);
    assert.deepEqual((await customersWithEmail('drop@example.com')).map((c) => c.id), [retried.id]);
  });

  it('reusing an idempotency key for different parameters is a conflict', async () => {
    await createCustomer(stripe, { canonicalCustomerId: 'a', salesforceAccountId: '1', name: 'A', idempotencyKey: 'k-same' });
    await assert.rejects(
      createCustomer(stripe, { canonicalCustomerId: 'b', salesforceAccountId: '2', name: 'B', idempotencyKey: 'k-same' }),
      (err: unknown) => hasCode('conflict')(err) && (err as InterlockError).details?.stripeType === 'idempotency_error',
    );
    await assert.rejects(createCustomer(stripe, { canonicalCustomerId: 'c', salesforceAccountId: '3', name: 'C', idempotencyKey: '' }), hasCode('validation'));
  });

  it('a retry while the first request with the key is in flight is transient, then replays', async () => {
    const input = { canonicalCustomerId: 'c-slow', salesforceAccountId: '001L', name: 'Slow', email: 'slow@example.com', idempotencyKey: 'k-slow' };
    sandbox.faults.patch({ latencyMs: 500 });
    const slow = createCustomer(stripe, input);
    for (let i = 0; i < 200 && (await sandboxState(sandbox)).idempotencyKeysInFlight !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    await assert.rejects(createCustomer(stripe, input), (err: unknown) => hasCode('transient')(err) && (err as InterlockError).details?.stripeCode === 'idempotency_key_in_use');
    const first = await slow;
    sandbox.faults.patch({ latencyMs: 0 });
    assert.equal((await createCustomer(stripe, input)).id, first.id);
    assert.equal((await customersWithEmail('slow@example.com')).length, 1);
  });

  it('finds a price by lookup key, or creates product and price once', async () => {
    const seeded = await ensurePrice(stripe, {
      lookupKey: 'sandboxplatform_monthly',
      productName: 'Interlock Platform',
      sku: 'PLAT',
      currency: 'USD',
      unitAmount: 49_900,
      recurring: { interval: 'month' },
      idempotencyKey: 'price:PLAT:monthly',
    });
    assert.deepEqual([seeded.created, seeded.price.id], [false, 'price_SandboxPlatformMonthly']);
    const input = {
      lookupKey: 'widget_yearly',
      productName: 'Widget',
      sku: 'WID-1',
      currency: 'usd',
      unitAmount: 12_000,
      recurring: { interval: 'year' as const },
      idempotencyKey: 'price:WID-1:yearly',
    };
    const made = await ensurePrice(stripe, input);
    assert.equal(made.created, true);
    assert.equal(made.price.lookup_key, 'widget_yearly');
    assert.equal(made.price.recurring?.interval, 'year');
    assert.deepEqual(made.price.metadata, { sku: 'WID-1' });
    const product = await stripe.get<{ name: string; metadata: Record<string, string> }>(`products/${String(made.price.product)}`);
    assert.deepEqual([product.name, product.metadata], ['Widget', { sku: 'WID-1' }]);
    const again = await ensurePrice(stripe, input);
    assert.deepEqual([again.created, again.price.id], [false, made.price.id]);
  });

  it('creates, retrieves and cancels a subscription; lists and retrieves its invoices', async () => {
    const customer = await createCustomer(stripe, { canonicalCustomerId: 'c-sub', salesforceAccountId: '001S', name: 'Subscriber', idempotencyKey: 'k-c-sub' });
    const input = {
      customerId: customer.id,
      items: [
        { priceId: 'price_SandboxPlatformMonthly', quantity: 1 },
        { priceId: 'price_SandboxSeatsMonthly', quantity: 4 },
      ],
      metadata: { order_id: 'ord-1' },
      idempotencyKey: 'q2c:opp-1:subscription',
    };
    const subscription = await createSubscription(stripe, input);
    assert.match(subscription.id, /^sub_/);
    assert.equal(subscription.status, 'active');
    assert.deepEqual(subscription.items.data.map((i) => [i.price.id, i.quantity]), [
      ['price_SandboxPlatformMonthly', 1],
      ['price_SandboxSeatsMonthly', 4],
    ]);
    const first = subscription.latest_invoice as StripeInvoice;
    assert.equal(first.status, 'paid');
    assert.equal(first.amount_paid, 49_900 + 4 * 2_500);

    const replay = await createSubscription(stripe, input);
    assert.equal(replay.id, subscription.id);
    const all = await stripe.get<{ data: unknown[] }>('subscriptions', { customer: customer.id });
    assert.equal(all.data.length, 1);

    const read = await retrieveSubscription(stripe, subscription.id);
    assert.deepEqual([read.id, read.metadata.order_id], [subscription.id, 'ord-1']);
    const invoices: StripeInvoice[] = [];
    for await (const invoice of listSubscriptionInvoices(stripe, { subscriptionId: subscription.id })) invoices.push(invoice);
    assert.deepEqual(invoices.map((i) => i.id), [first.id]);
    const invoice = await retrieveInvoice(stripe, first.id);
    assert.equal(invoiceSubscriptionId(invoice), subscription.id);
    assert.equal(invoice.status, 'paid');

    const canceled = await cancelSubscription(stripe, subscription.id);
    assert.equal(canceled.status, 'canceled');
    assert.equal((await cancelSubscription(stripe, subscription.id)).status, 'canceled');
    await assert.rejects(retrieveSubscription(stripe, 'sub_missing'), hasCode('not-found'));
    await assert.rejects(retrieveInvoice(stripe, 'in_missing'), hasCode('not-found'));
  });

  it('finds the live subscription of an opportunity by metadata with one search, not a canceled one', async () => {
    const customer = await createCustomer(stripe, { canonicalCustomerId: 'c-find', salesforceAccountId: '001F', name: 'Finder', idempotencyKey: 'k-c-find' });
    const subscribe = (opportunity: string, key: string) =>
      createSubscription(stripe, { customerId: customer.id, items: [{ priceId: 'price_SandboxPlatformMonthly', quantity: 1 }], metadata: { salesforce_opportunity_id: opportunity }, idempotencyKey: key });
    const old = await subscribe('006FIND', 'k-find-1');
    await subscribe('006OTHER', 'k-find-2');
    assert.equal((await findLiveSubscriptionByMetadata(stripe, 'salesforce_opportunity_id', '006FIND'))?.id, old.id);
    await cancelSubscription(stripe, old.id);
    assert.equal(await findLiveSubscriptionByMetadata(stripe, 'salesforce_opportunity_id', '006FIND'), undefined);
    const again = await subscribe('006FIND', 'k-find-3');
    assert.equal((await findLiveSubscriptionByMetadata(stripe, 'salesforce_opportunity_id', '006FIND'))?.id, again.id);
    await assert.rejects(findLiveSubscriptionByMetadata(stripe, 'salesforce_opportunity_id', "x' OR status:'active"), hasCode('validation'));
  });

  it('lists the invoices of a renewed subscription across pages', async () => {
    const start = Math.floor(Date.UTC(2026, 0, 1) / 1000);
    const clock = await stripe.post<{ id: string }>('test_helpers/test_clocks', { frozen_time: start }, 'k-clock');
    const customer = await stripe.post<{ id: string }>('customers', { name: 'Renewing', test_clock: clock.id }, 'k-renewing');
    const sub = await createSubscription(stripe, { customerId: customer.id, items: [{ priceId: 'price_SandboxSeatsMonthly', quantity: 1 }], idempotencyKey: 'k-sub-r' });
    await stripe.post(`test_helpers/test_clocks/${clock.id}/advance`, { frozen_time: start + 95 * DAY }, 'k-advance');
    const seen: string[] = [];
    for await (const invoice of stripe.list<StripeInvoice>('invoices', { subscription: sub.id }, 2)) seen.push(invoice.billing_reason ?? '');
    assert.deepEqual(seen, ['subscription_cycle', 'subscription_cycle', 'subscription_cycle', 'subscription_create']);
  });

  it('pages through a list with starting_after, every object once', async () => {
    for (let i = 0; i < 7; i++) await stripe.post('customers', { name: `P${i}`, email: 'page@example.com' }, `k-page-${i}`);
    const names: string[] = [];
    for await (const c of stripe.list<StripeCustomer>('customers', { email: 'page@example.com' }, 3)) names.push(c.name ?? '');
    assert.deepEqual(names, ['P6', 'P5', 'P4', 'P3', 'P2', 'P1', 'P0']);
  });

  it('translates Stripe failures into the taxonomy', async () => {
    await assert.rejects(stripe.post('prices', { currency: 'usd', unit_amount: 100 }, 'k-bad'), (err: unknown) => {
      return hasCode('validation')(err) && (err as InterlockError).details?.param === 'product';
    });
    await assert.rejects(
      stripe.post('payment_intents', { amount: 500, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true }, 'k-card'),
      (err: unknown) => hasCode('permanent')(err) && (err as InterlockError).details?.stripeType === 'card_error',
    );
    const wrongKey = new StripeClient({ secretKey: 'sk_live_nope', baseUrl: sandbox.url, allow: ['127.0.0.1'] });
    await assert.rejects(wrongKey.get('customers'), hasCode('auth'));
    await wrongKey.close();
    assert.throws(() => new StripeClient({ secretKey: 'pk_test_public', baseUrl: sandbox.url }), hasCode('validation'));

    sandbox.faults.patch({ rateLimit: { burst: 1 } });
    await assert.rejects(stripe.get('customers'), (err: unknown) => {
      const details = (err as InterlockError).details;
      return hasCode('rate-limited')(err) && details?.stripeCode === 'rate_limit' && details.rateLimitedReason === 'global-rate';
    });
    assert.ok(Array.isArray((await stripe.get<{ data: unknown[] }>('customers')).data));
    sandbox.faults.patch({ errorRate: 1 });
    await assert.rejects(stripe.get('customers'), hasCode('transient'));
    sandbox.faults.patch({ errorRate: 0, maintenance: true });
    await assert.rejects(stripe.get('customers'), hasCode('transient'));
  });

  it('refuses a private address unless allowed', async () => {
    const unguarded = new StripeClient({ secretKey: 'sk_test_x', baseUrl: sandbox.url });
    await assert.rejects(unguarded.get('customers'), (err: unknown) => err instanceof InterlockError && err.code === 'permanent');
    await unguarded.close();
  });
});

async function sandboxState(sandbox: SandboxInstance): Promise<Record<string, unknown>> {
  return (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as Record<string, unknown>;
}

function hasCode(code: ErrorCode): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof InterlockError, String(err));
    assert.equal(err.code, code, err.message);
    return true;
  };
}

describe('StripeClient.getShared', () => {
  let server: Server;
  let stripe: StripeClient;
  let received = 0;
  before(async () => {
    server = createServer((_req, res) => {
      received += 1;
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ object: 'list', data: [{ id: `price_${received}` }], has_more: false }));
      }, 30);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stripe = new StripeClient({ secretKey: 'sk_test_shared', baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, allow: ['127.0.0.1'] });
  });
  after(async () => {
    await stripe.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('asks once for identical lookups in flight together, and again once they are answered', async () => {
    const params = { lookup_keys: ['k1'], active: true, limit: 1 };
    const together = await Promise.all([stripe.getShared('prices', params), stripe.getShared('prices', params), stripe.getShared('prices', { ...params, lookup_keys: ['k2'] })]);
    assert.equal(received, 2);
    assert.equal(together[0], together[1]);
    await stripe.getShared('prices', params);
    assert.equal(received, 3);
  });
});
