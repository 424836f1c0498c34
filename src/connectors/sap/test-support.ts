/**
 * Shared set-up of the SAP connector's tests: a seeded sandbox on 127.0.0.1:0, a client signed in
 * with the sandbox's communication user (or its OAuth client), and the sandbox's fault API.
 */
import { sapSandbox } from '../../sandboxes/sap/sap-sandbox.ts';
import type { SandboxInstance } from '../../sandboxes/kit/index.ts';
import { SapClient, type SapOptions } from './client.ts';

/** Starts a seeded sandbox. */
export async function startSap(): Promise<SandboxInstance> {
  return sapSandbox.start({ host: '127.0.0.1', port: 0, seed: true });
}

/** A client of `sandbox`, with the credentials its state summary hands out. */
export async function clientOf(sandbox: SandboxInstance, kind: 'basic' | 'oauth' = 'basic', options: Partial<SapOptions> = {}): Promise<SapClient> {
  const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as { basicAuth: { username: string; password: string }; oauth: { clientId: string; clientSecret: string } };
  const credentials = kind === 'basic' ? { kind, ...state.basicAuth } : { kind, clientId: state.oauth.clientId, clientSecret: state.oauth.clientSecret };
  return new SapClient({ baseUrl: sandbox.url, credentials, allow: ['127.0.0.1'], ...options });
}

/** Changes the sandbox's faults through its admin API. */
export async function patchFaults(sandbox: SandboxInstance, faults: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  if (res.status !== 200) throw new Error(`PATCH /__sandbox/faults answered ${res.status}: ${await res.text()}`);
}

/** POSTs to one of the SAP sandbox's own admin endpoints. */
export async function sapAdmin(sandbox: SandboxInstance, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${sandbox.url}/__sandbox/sap/${path}`, { method: 'POST', headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`POST /__sandbox/sap/${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}
