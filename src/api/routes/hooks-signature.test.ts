/**
 * `POST /hooks/:source` with a `signature` setting: a verified request is stored; a failed check
 * answers 401 problem+json naming what failed, and stores nothing. Secrets never appear in answers.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { signStandardWebhook } from '../../security/standard-webhooks-signature.ts';
import { signStripe } from '../../security/stripe-signature.ts';
import { signHubSpotV3 } from '../../security/hubspot-signature.ts';
import { startHarness, type Harness } from '../../../test/support/engine-harness.ts';
import { describeEachStore } from '../../../test/support/stores.ts';

const STRIPE_SECRET = 'whsec_canary_stripe_e61c0b';
const OLD_STRIPE_SECRET = 'whsec_canary_old_stripe_77aa';
const HUBSPOT_SECRET = 'canary-hubspot-client-secret-19ff';
const STD_SECRET = 'whsec_Y2FuYXJ5LXN0ZC13ZWJob29rcy1rZXk=';

describeEachStore('signed webhook intake', (get) => {
  let h: Harness | undefined;
  before(async () => {
    h = await startHarness(
      get().store,
      {
        sources: {
          stripe: { eventId: { path: 'id' }, routes: [], signature: { scheme: 'stripe', secrets: [STRIPE_SECRET, OLD_STRIPE_SECRET] } },
          crm: { eventId: { path: 'eventId' }, routes: [], signature: { scheme: 'hubspot-v3', secrets: [HUBSPOT_SECRET], publicUrl: 'https://interlock.example.com/' } },
          generic: { eventId: { header: 'webhook-id' }, routes: [], signature: { scheme: 'standard-webhooks', secrets: [STD_SECRET] } },
        },
        destinations: { sink: { url: 'http://127.0.0.1:9/ok' } },
      },
      { worker: false },
    );
  });
  after(async () => {
    await h?.close();
  });

  const count = async () => Number((await get().store.db.selectFrom('inbox').select(get().store.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const send = (source: string, body: string, headers: Record<string, string>) =>
    fetch(`${h!.url}/hooks/${source}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('stores a Stripe event signed with the current or the previous secret', async () => {
    const t = Math.floor(Date.now() / 1000);
    for (const [id, secret] of [['evt_a', STRIPE_SECRET], ['evt_b', OLD_STRIPE_SECRET]] as const) {
      const body = JSON.stringify({ id, type: 'customer.created' });
      const res = await send('stripe', body, { 'stripe-signature': signStripe(body, secret, t) });
      assert.equal(res.status, 202, await res.text());
    }
  });

  it('stores a HubSpot v3 event signed over the public URL', async () => {
    const body = JSON.stringify({ eventId: 'hs_1' });
    const ts = Date.now();
    const sig = signHubSpotV3('POST', 'https://interlock.example.com/hooks/crm', body, HUBSPOT_SECRET, ts);
    const res = await send('crm', body, { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': String(ts) });
    assert.equal(res.status, 202, await res.text());
  });

  it('stores a Standard Webhooks event', async () => {
    const body = JSON.stringify({ type: 'thing.happened' });
    const ts = Math.floor(Date.now() / 1000);
    const res = await send('generic', body, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook('msg_1', ts, body, STD_SECRET) });
    assert.equal(res.status, 202, await res.text());
  });

  const t = () => Math.floor(Date.now() / 1000);
  const refusals: Array<[string, string, () => [string, Record<string, string>], string]> = [
    ['tampered body', 'stripe', () => ['{"id":"evt_x","amount":1}', { 'stripe-signature': signStripe('{"id":"evt_x","amount":100}', STRIPE_SECRET, t()) }], 'no-matching-signature'],
    ['stale timestamp', 'stripe', () => ['{"id":"evt_y"}', { 'stripe-signature': signStripe('{"id":"evt_y"}', STRIPE_SECRET, t() - 3600) }], 'stale-timestamp'],
    ['missing header', 'stripe', () => ['{"id":"evt_z"}', {}], 'missing-header'],
    ['unknown secret', 'generic', () => ['{}', { 'webhook-id': 'm2', 'webhook-timestamp': String(t()), 'webhook-signature': signStandardWebhook('m2', t(), '{}', 'whsec_b3RoZXI=') }], 'no-matching-signature'],
    ['signed for another host', 'crm', () => ['{"eventId":"hs_2"}', { 'x-hubspot-signature-v3': signHubSpotV3('POST', 'https://evil.example/hooks/crm', '{"eventId":"hs_2"}', HUBSPOT_SECRET, Date.now()), 'x-hubspot-request-timestamp': String(Date.now()) }], 'no-matching-signature'],
  ];
  for (const [name, source, make, reason] of refusals) {
    it(`refuses ${name} on ${source} with 401 problem+json (${reason}) and stores nothing`, async () => {
      const before = await count();
      const [body, headers] = make();
      const res = await send(source, body, headers);
      const text = await res.text();
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('content-type')?.split(';')[0], 'application/problem+json');
      const problem = JSON.parse(text) as { type: string; reason: string };
      assert.match(problem.type, /invalid-signature$/);
      assert.equal(problem.reason, reason);
      for (const s of [STRIPE_SECRET, OLD_STRIPE_SECRET, HUBSPOT_SECRET, STD_SECRET]) assert.ok(!text.includes(s), 'no secret in the answer');
      assert.equal(await count(), before);
    });
  }
});
