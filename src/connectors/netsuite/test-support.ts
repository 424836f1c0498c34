/**
 * Shared set-up of the NetSuite connector's tests: a seeded sandbox on 127.0.0.1:0, its M2M
 * signing key from `GET /__sandbox/state`, a client, and the sandbox's fault API.
 */
import { netSuiteSandbox } from '../../sandboxes/netsuite/netsuite-sandbox.ts';
import type { SandboxInstance } from '../../sandboxes/kit/index.ts';
import type { NetSuiteCredentials } from './auth.ts';
import { NetSuiteClient } from './client.ts';
import type { NetSuiteOptions } from './client.ts';

/** Starts a seeded sandbox. */
export async function startNetSuite(): Promise<SandboxInstance> {
  return netSuiteSandbox.start({ host: '127.0.0.1', port: 0, seed: true });
}

/** The sandbox's M2M credentials, as its state summary hands them out. */
export async function credentialsOf(sandbox: SandboxInstance): Promise<NetSuiteCredentials> {
  const res = await fetch(`${sandbox.url}/__sandbox/state`);
  const state = (await res.json()) as { m2m?: { clientId: string; certificateId: string; privateKeyPem?: string } };
  const m2m = state.m2m;
  if (m2m?.privateKeyPem === undefined) throw new Error('sandbox state has no M2M private key');
  return { clientId: m2m.clientId, certificateId: m2m.certificateId, privateKey: m2m.privateKeyPem, algorithm: 'ES256' };
}

/** A client of `sandbox`. */
export async function clientOf(sandbox: SandboxInstance, options: Partial<NetSuiteOptions> = {}): Promise<NetSuiteClient> {
  return new NetSuiteClient({ baseUrl: sandbox.url, credentials: await credentialsOf(sandbox), allow: ['127.0.0.1'], ...options });
}

/** Changes the sandbox's faults through its admin API. */
export async function patchFaults(sandbox: SandboxInstance, faults: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  if (res.status !== 200) throw new Error(`PATCH /__sandbox/faults answered ${res.status}: ${await res.text()}`);
}
