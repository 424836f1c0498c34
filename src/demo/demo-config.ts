/**
 * The configuration the demo runs on: the four seeded sandboxes as the story's connectors, the
 * Stripe sandbox's webhooks signed into `/hooks/stripe`, and outbound HTTP allowed to this
 * machine (the sandboxes are local). It is what a user's `interlock.yaml` says for real systems,
 * written for the sandboxes.
 */
import { InterlockError } from '../core/errors.ts';
import type { SandboxInstance } from '../sandboxes/kit/index.ts';

/** The sandbox called `name` among `sandboxes`. */
export function sandboxNamed(sandboxes: readonly SandboxInstance[], name: string): SandboxInstance {
  const found = sandboxes.find((s) => s.name === name);
  if (found === undefined) throw new InterlockError('validation', `the demo needs the ${name} sandbox, which is not running`);
  return found;
}

/** The demo's Stripe API key (the sandbox accepts any `sk_test_` key). */
export const DEMO_STRIPE_KEY = 'sk_test_interlock_demo';

/** `connectors` for the four sandboxes (NetSuite's M2M key is read from its state summary). */
export async function sandboxConnectors(sandboxes: readonly SandboxInstance[]): Promise<Record<string, unknown>> {
  const netsuite = sandboxNamed(sandboxes, 'netsuite');
  const res = await fetch(`${netsuite.url}/__sandbox/state`);
  const state = (await res.json()) as { m2m?: { clientId: string; certificateId: string; privateKeyPem?: string } };
  if (state.m2m?.privateKeyPem === undefined) throw new InterlockError('unexpected', 'the NetSuite sandbox did not hand out its M2M key');
  return {
    salesforce: {
      loginUrl: sandboxNamed(sandboxes, 'salesforce').url,
      clientId: 'interlock-sandbox-client',
      clientSecret: 'interlock-sandbox-secret',
      // The demo's cursor starts with the sandbox's log, so no change made before the first poll is missed.
      changeDataCapture: { startFrom: 'EARLIEST' },
    },
    netsuite: { baseUrl: netsuite.url, clientId: state.m2m.clientId, certificateId: state.m2m.certificateId, privateKey: state.m2m.privateKeyPem },
    stripe: { secretKey: DEMO_STRIPE_KEY, baseUrl: sandboxNamed(sandboxes, 'stripe').url },
    avalara: { accountId: '2001', licenseKey: 'interlock-demo-license', baseUrl: sandboxNamed(sandboxes, 'avalara').url },
  };
}

/**
 * Points the Stripe sandbox's webhooks at `hooksUrl` and returns the endpoint's signing secret.
 * Endpoints left by an earlier run for the same URL are deleted first: Stripe shows a secret
 * only when the endpoint is created.
 */
export async function registerStripeWebhook(stripe: SandboxInstance, hooksUrl: string): Promise<string> {
  const auth = { authorization: `Bearer ${DEMO_STRIPE_KEY}` };
  const list = (await (await fetch(`${stripe.url}/v1/webhook_endpoints?limit=100`, { headers: auth })).json()) as { data?: Array<{ id: string; url: string }> };
  for (const old of list.data ?? []) {
    if (old.url === hooksUrl) await fetch(`${stripe.url}/v1/webhook_endpoints/${old.id}`, { method: 'DELETE', headers: auth });
  }
  const body = new URLSearchParams({ url: hooksUrl, 'enabled_events[]': '*', description: 'Interlock demo' });
  const res = await fetch(`${stripe.url}/v1/webhook_endpoints`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, body });
  const made = (await res.json()) as { secret?: string };
  if (res.status !== 200 || made.secret === undefined) throw new InterlockError('unexpected', `the Stripe sandbox refused the webhook endpoint (${res.status})`);
  return made.secret;
}

/** The demo's configuration values, merged over `base` (a sample sink's config, say). */
export function demoConfigValues(base: Record<string, unknown>, connectors: Record<string, unknown>, stripeWebhookSecret: string): Record<string, unknown> {
  const sources = (base['sources'] ?? {}) as Record<string, unknown>;
  return {
    ...base,
    outbound: { allow: ['127.0.0.1'] },
    connectors,
    sources: { ...sources, stripe: { eventId: { path: 'id' }, signature: { scheme: 'stripe', secrets: [stripeWebhookSecret] } } },
    // The console's overview shows SLOs only when some are declared: the demo declares the issue's own.
    observability: { slos: DEMO_SLOS, ...(base['observability'] as Record<string, unknown> | undefined) },
  };
}

/** The demo's business SLOs: closed-won deals booked in the ERP fast, orders accepted. */
const DEMO_SLOS = [
  { name: 'deals-booked-fast', description: '95% of closed-won deals booked in the ERP within 15 minutes', objective: 0.95, window: '28d', sli: { kind: 'latency', event: 'closed-won-to-erp', threshold: '15m' } },
  { name: 'orders-accepted', description: '90% of orders accepted by the ERP', objective: 0.9, window: '7d', sli: { kind: 'ratio', event: 'order-acceptance' } },
];
