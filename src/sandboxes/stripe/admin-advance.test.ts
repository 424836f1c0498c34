/**
 * `POST /__sandbox/advance`: renewing subscriptions whose customers have no test clock, with the
 * renewal's events and invoice, a declined renewal on request, and the kit's admin conventions.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SandboxInstance } from '../kit/index.ts';
import { stripeSandbox } from './stripe-sandbox.ts';

const FORM = { authorization: 'Bearer sk_test_advance', 'content-type': 'application/x-www-form-urlencoded' };
type Json = Record<string, unknown>;

describe('Stripe sandbox: advance billing time', () => {
  let sandbox: SandboxInstance;
  before(async () => {
    sandbox = await stripeSandbox.start({ seed: true });
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(async () => {
    await sandbox.reset();
  });

  const stripe = async (method: string, path: string, form?: string): Promise<Json> => {
    const res = await fetch(`${sandbox.url}/v1/${path}`, { method, headers: FORM, ...(form === undefined ? {} : { body: form }) });
    return (await res.json()) as Json;
  };
  const advance = async (body: Json): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${sandbox.url}/__sandbox/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const subscribe = async (): Promise<Json> => stripe('POST', 'subscriptions', 'customer=cus_SandboxAcme&items[0][price]=price_SandboxPlatformMonthly&items[0][quantity]=2');
  const eventsOf = async (type: string): Promise<Json[]> => ((await stripe('GET', `events?type=${type}`)) as { data: Json[] }).data;

  it('renews one subscription without a Stripe key: new period, renewal invoice paid, events as a test clock sends them', async () => {
    const sub = await subscribe();
    const res = await advance({ subscription: sub.id });
    assert.equal(res.status, 200);
    const [after] = (res.body as { advanced: Json[] }).advanced;
    assert.equal(after?.current_period_start, sub.current_period_end);
    assert.equal(after?.status, 'active');
    assert.equal(after?.latest_invoice_status, 'paid');
    const invoice = await stripe('GET', `invoices/${String(after?.latest_invoice)}`);
    assert.equal(invoice.billing_reason, 'subscription_cycle');
    const renewal = (await eventsOf('customer.subscription.updated')).find((e) => (e.data as Json).previous_attributes !== undefined && ((e.data as { previous_attributes: Json }).previous_attributes.current_period_start === sub.current_period_start));
    assert.ok(renewal, 'a customer.subscription.updated with the old period in previous_attributes');
    assert.equal((await eventsOf('invoice.paid')).length, 2);
    // The customer now lives on the advanced time: a later change is not dated before the renewal.
    const amended = await stripe('POST', `subscriptions/${String(sub.id)}`, 'metadata[note]=later');
    assert.equal(amended.id, sub.id);
    const [latest] = await eventsOf('customer.subscription.updated');
    assert.ok(Number(latest?.created) >= Number(after?.current_period_start));
  });

  it('declines the renewal payments of one advance when asked, leaving the customer as it was', async () => {
    const sub = await subscribe();
    const failed = await advance({ subscription: sub.id, paymentOutcome: 'fail' });
    const [after] = (failed.body as { advanced: Json[] }).advanced;
    assert.equal(after?.status, 'past_due');
    assert.equal(after?.latest_invoice_status, 'open');
    assert.equal((await eventsOf('invoice.payment_failed')).length, 1);
    const customer = (await stripe('GET', 'customers/cus_SandboxAcme')) as { metadata: Json };
    assert.equal(customer.metadata['sandbox_payment_outcome'], undefined);
    // The next period is paid again, and Stripe's own retry of the open invoice succeeds.
    const paid = await stripe('POST', `invoices/${String(after?.latest_invoice)}/pay`);
    assert.equal(paid.status, 'paid');
  });

  it('declines only the next charge of a customer set to fail_next, for the demo\'s failed payments', async () => {
    await stripe('POST', 'customers/cus_SandboxAcme', 'metadata[sandbox_payment_outcome]=fail_next');
    const sub = await subscribe();
    assert.equal(sub.status, 'incomplete');
    const customer = (await stripe('GET', 'customers/cus_SandboxAcme')) as { metadata: Json };
    assert.equal(customer.metadata['sandbox_payment_outcome'], undefined);
    // An incomplete subscription does not renew, as in Stripe.
    const refused = await advance({ subscription: String(sub.id) });
    assert.equal(refused.status, 400);
    assert.match(String(refused.body['error']), /is incomplete/);
    const retried = await stripe('POST', `invoices/${String(sub.latest_invoice)}/pay`);
    assert.equal(retried.status, 'paid');
  });

  it('renews every live subscription off a test clock, several periods at once', async () => {
    const a = await subscribe();
    const b = await stripe('POST', 'subscriptions', 'customer=cus_SandboxGlobex&items[0][price]=price_SandboxPlatformMonthly');
    const res = await advance({ periods: 2 });
    const advanced = (res.body as { advanced: Json[] }).advanced;
    assert.deepEqual(advanced.map((s) => s.id).sort(), [a.id, b.id].sort());
    assert.equal((await eventsOf('invoice.paid')).length, 6);
  });

  it('answers bad input with 400 and a readable error, an unknown subscription with 404', async () => {
    assert.deepEqual(await advance({ periods: 0 }), { status: 400, body: { error: 'periods: Expected a whole number from 1 to 24' } });
    assert.deepEqual(await advance({ paymentOutcome: 'maybe' }), { status: 400, body: { error: 'paymentOutcome: Expected "fail" or "succeed"' } });
    assert.equal((await advance({ subscription: 'sub_missing' })).status, 404);
  });
});
