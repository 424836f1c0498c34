/**
 * Shared set-up of the Dynamics 365 connector's tests: a seeded sandbox on 127.0.0.1:0, a client
 * signed in by the sandbox's default app registration, and the sandbox's fault API.
 */
import { createDynamicsSandbox } from '../../sandboxes/dynamics/dynamics-sandbox.ts';
import type { SandboxInstance } from '../../sandboxes/kit/index.ts';
import { DynamicsClient } from './client.ts';
import type { DynamicsOptions } from './client.ts';

/** The sandbox's default app registration. */
export const SANDBOX_APP = { tenantId: '7b1c3e52-5d0a-4c8e-9a51-2f6b8d0e4a10', clientId: 'interlock-dynamics-client', clientSecret: 'interlock-dynamics-secret' };

/** Starts a seeded sandbox. */
export async function startDynamics(): Promise<SandboxInstance> {
  return createDynamicsSandbox().start({ host: '127.0.0.1', port: 0, seed: true });
}

/** A client of `sandbox` (it serves the token endpoint too), with `options` overriding. */
export function clientOf(sandbox: SandboxInstance, options: Partial<DynamicsOptions> = {}): DynamicsClient {
  return new DynamicsClient({ environmentUrl: sandbox.url, loginUrl: sandbox.url, credentials: SANDBOX_APP, allow: ['127.0.0.1'], ...options });
}

/** Changes the sandbox's faults through its admin API. */
export async function patchFaults(sandbox: SandboxInstance, faults: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  if (res.status !== 200) throw new Error(`PATCH /__sandbox/faults answered ${res.status}: ${await res.text()}`);
}
