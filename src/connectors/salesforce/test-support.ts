/**
 * Shared set-up of the Salesforce connector's tests: a seeded sandbox on 127.0.0.1:0, a client
 * signed in by client credentials, and the sandbox's fault API.
 */
import { createSalesforceSandbox } from '../../sandboxes/salesforce/salesforce-sandbox.ts';
import type { SandboxInstance } from '../../sandboxes/kit/index.ts';
import { SalesforceClient } from './client.ts';
import type { SalesforceOptions } from './client.ts';

/** The sandbox's default connected app. */
export const SANDBOX_CLIENT = { clientId: 'interlock-sandbox-client', clientSecret: 'interlock-sandbox-secret' };

/** Starts a seeded sandbox (with extra sandbox settings, e.g. a JWT public key). */
export async function startSalesforce(config: Parameters<typeof createSalesforceSandbox>[0] = {}): Promise<SandboxInstance> {
  return createSalesforceSandbox(config).start({ host: '127.0.0.1', port: 0, seed: true });
}

/** A client of `sandbox`, by client credentials unless `options` say otherwise. */
export function clientOf(sandbox: SandboxInstance, options: Partial<SalesforceOptions> = {}): SalesforceClient {
  return new SalesforceClient({
    loginUrl: sandbox.url,
    credentials: { kind: 'client-credentials', ...SANDBOX_CLIENT },
    allow: ['127.0.0.1'],
    ...options,
  });
}

/** Changes the sandbox's faults through its admin API. */
export async function patchFaults(sandbox: SandboxInstance, faults: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  if (res.status !== 200) throw new Error(`PATCH /__sandbox/faults answered ${res.status}: ${await res.text()}`);
}
