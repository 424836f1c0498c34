import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { loadConfig } from '../core/config.ts';
import { signHubSpotV3 } from './hubspot-signature.ts';
import type { SignedRequest } from './signed-request.ts';
import { WebhookSignatureError } from './signed-request.ts';
import { signStandardWebhook } from './standard-webhooks-signature.ts';
import { signStripe } from './stripe-signature.ts';
import { verifyWebhook, type SignatureConfig, type SignatureScheme } from './webhook-signature.ts';

const NOW = Date.UTC(2026, 5, 1, 12);
const BODY = '{"id":"evt_1","type":"customer.created","data":{"object":{"id":"cus_1"}}}';
const URL_CALLED = 'https://hooks.example.com/hooks/crm?portal=42';
const OLD = { stripe: 'whsec_old_secret_value', 'hubspot-v3': 'old-client-secret', 'standard-webhooks': 'whsec_b2xkLXNlY3JldC1ieXRlcy0xMjM0NTY3OA==' };
const NEW = { stripe: 'whsec_new_secret_value', 'hubspot-v3': 'new-client-secret', 'standard-webhooks': 'whsec_bmV3LXNlY3JldC1ieXRlcy0xMjM0NTY3OA==' };

/** A request signed the way each vendor signs, at `at` (ms), with `secret`, over `body`. */
function signed(scheme: SignatureScheme, secret: string, at: number, body = BODY): SignedRequest {
  const base = { method: 'POST', url: URL_CALLED, rawBody: body };
  switch (scheme) {
    case 'stripe':
      return { ...base, headers: { 'stripe-signature': signStripe(body, secret, Math.floor(at / 1000)) } };
    case 'hubspot-v3':
      return { ...base, headers: { 'x-hubspot-signature-v3': signHubSpotV3('POST', URL_CALLED, body, secret, at), 'x-hubspot-request-timestamp': String(at) } };
    case 'standard-webhooks': {
      const ts = Math.floor(at / 1000);
      return { ...base, headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook('msg_1', ts, body, secret) } };
    }
  }
}

const MAIN_HEADER = { stripe: 'stripe-signature', 'hubspot-v3': 'x-hubspot-signature-v3', 'standard-webhooks': 'webhook-signature' };

function failure(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof WebhookSignatureError, `expected a WebhookSignatureError, got ${String(err)}`);
    assert.equal(err.status, 401);
    return err.reason;
  }
  assert.fail('the request was accepted');
}

describe('webhook signature matrix', () => {
  for (const scheme of ['stripe', 'hubspot-v3', 'standard-webhooks'] as const) {
    const config: SignatureConfig = { scheme, secrets: [NEW[scheme]], toleranceMs: 300_000 };
    describe(scheme, () => {
      it('accepts a valid signature', () => {
        verifyWebhook(config, signed(scheme, NEW[scheme], NOW), NOW);
      });
      it('refuses a tampered body', () => {
        const req = signed(scheme, NEW[scheme], NOW);
        assert.equal(failure(() => verifyWebhook(config, { ...req, rawBody: BODY.replace('cus_1', 'cus_2') }, NOW)), 'no-matching-signature');
      });
      it('refuses a stale timestamp, and one from too far in the future', () => {
        assert.equal(failure(() => verifyWebhook(config, signed(scheme, NEW[scheme], NOW - 301_000), NOW)), 'stale-timestamp');
        assert.equal(failure(() => verifyWebhook(config, signed(scheme, NEW[scheme], NOW + 301_000), NOW)), 'stale-timestamp');
        verifyWebhook(config, signed(scheme, NEW[scheme], NOW - 299_000), NOW);
      });
      it('accepts the old secret while both are active during a rotation, and not after', () => {
        const req = signed(scheme, OLD[scheme], NOW);
        verifyWebhook({ ...config, secrets: [NEW[scheme], OLD[scheme]] }, req, NOW);
        assert.equal(failure(() => verifyWebhook(config, req, NOW)), 'no-matching-signature');
      });
      it('names the missing header', () => {
        const req = signed(scheme, NEW[scheme], NOW);
        const headers = { ...req.headers, [MAIN_HEADER[scheme]]: undefined };
        assert.equal(failure(() => verifyWebhook(config, { ...req, headers }, NOW)), 'missing-header');
        try {
          verifyWebhook(config, { ...req, headers }, NOW);
        } catch (err) {
          assert.deepEqual((err as WebhookSignatureError).details, { reason: 'missing-header', header: MAIN_HEADER[scheme] });
        }
      });
      it('refuses a signature made with another secret', () => {
        assert.equal(failure(() => verifyWebhook(config, signed(scheme, 'whsec_c29tZXRoaW5nLWVsc2U=', NOW), NOW)), 'no-matching-signature');
      });
    });
  }

  it('verifies what the official stripe library signs, including a header with several v1 values', () => {
    const stripe = new Stripe('sk_test_x');
    const t = Math.floor(NOW / 1000);
    const header = stripe.webhooks.generateTestHeaderString({ payload: BODY, secret: NEW.stripe, timestamp: t });
    const config: SignatureConfig = { scheme: 'stripe', secrets: [NEW.stripe], toleranceMs: 300_000 };
    verifyWebhook(config, { method: 'POST', url: URL_CALLED, rawBody: BODY, headers: { 'stripe-signature': header } }, NOW);
    // During an endpoint secret roll Stripe signs with both secrets: t=…,v1=<old>,v1=<new>.
    const both = `${signStripe(BODY, OLD.stripe, t)},v1=${header.split('v1=')[1]!.split(',')[0]!}`;
    verifyWebhook(config, { method: 'POST', url: URL_CALLED, rawBody: BODY, headers: { 'stripe-signature': both } }, NOW);
  });

  it('verifies what the official standardwebhooks library signs, and it verifies ours', () => {
    const wh = new Webhook(NEW['standard-webhooks']);
    const ts = Math.floor(Date.now() / 1000);
    const signature = wh.sign('msg_9', new Date(ts * 1000), BODY);
    const headers = { 'webhook-id': 'msg_9', 'webhook-timestamp': String(ts), 'webhook-signature': signature };
    verifyWebhook({ scheme: 'standard-webhooks', secrets: [NEW['standard-webhooks']], toleranceMs: 300_000 }, { method: 'POST', url: URL_CALLED, rawBody: BODY, headers }, ts * 1000);
    const ours = { ...headers, 'webhook-signature': signStandardWebhook('msg_9', ts, BODY, NEW['standard-webhooks']) };
    assert.deepEqual(wh.verify(BODY, ours), JSON.parse(BODY));
  });

  it('signs HubSpot v3 over method, URI with the documented escapes decoded, body and timestamp', () => {
    const config: SignatureConfig = { scheme: 'hubspot-v3', secrets: [NEW['hubspot-v3']], toleranceMs: 300_000 };
    const encoded = 'https://hooks.example.com/hooks/crm?redirect=https%3A%2F%2Fa.example%2Fx';
    const sig = signHubSpotV3('POST', 'https://hooks.example.com/hooks/crm?redirect=https://a.example/x', BODY, NEW['hubspot-v3'], NOW);
    const headers = { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': String(NOW) };
    verifyWebhook(config, { method: 'POST', url: encoded, rawBody: BODY, headers }, NOW);
    assert.equal(failure(() => verifyWebhook(config, { method: 'PUT', url: encoded, rawBody: BODY, headers }, NOW)), 'no-matching-signature');
  });

  it('refuses malformed headers with a reason, never a crash', () => {
    const cases: Array<[SignatureScheme, Record<string, string>]> = [
      ['stripe', { 'stripe-signature': 'garbage' }],
      ['stripe', { 'stripe-signature': 't=abc,v1=00' }],
      ['hubspot-v3', { 'x-hubspot-signature-v3': 'x', 'x-hubspot-request-timestamp': 'yesterday' }],
      ['standard-webhooks', { 'webhook-id': 'a', 'webhook-timestamp': String(NOW / 1000), 'webhook-signature': 'v2,abc' }],
    ];
    for (const [scheme, headers] of cases) {
      const reason = failure(() => verifyWebhook({ scheme, secrets: ['whsec_x'], toleranceMs: 300_000 }, { method: 'POST', url: URL_CALLED, rawBody: BODY, headers }, NOW));
      assert.equal(reason, 'malformed-header', `${scheme} ${JSON.stringify(headers)}`);
    }
  });

  it('reads a source\'s signature setting with a five-minute default, and names a bad key', () => {
    const load = (signature: unknown) => loadConfig({ values: { sources: { s: { eventId: { path: 'id' }, signature } } }, env: {} }).sources.s?.signature;
    assert.deepEqual(load({ scheme: 'hubspot-v3', secrets: ['a'], publicUrl: 'https://x.example' }), { scheme: 'hubspot-v3', secrets: ['a'], toleranceMs: 300_000, publicUrl: 'https://x.example' });
    assert.equal(load({ scheme: 'stripe', secrets: ['a', 'b'], tolerance: '10m' })?.toleranceMs, 600_000);
    assert.throws(() => load({ scheme: 'nope', secrets: ['a'] }), /key "sources\.s\.signature\.scheme" has "nope"; expected one of "stripe", "hubspot-v3", "standard-webhooks"/);
    assert.throws(() => load({ scheme: 'stripe', secrets: [] }), /key "sources\.s\.signature\.secrets"/);
    assert.throws(() => load({ scheme: 'stripe', secrets: ['a'], tolerance: 'soon' }), /key "sources\.s\.signature\.tolerance"/);
  });
});
