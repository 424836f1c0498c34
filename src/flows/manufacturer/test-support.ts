/**
 * Test set-up of the manufacturer story: the Dynamics 365, SAP S/4HANA and Avalara sandboxes,
 * seeded, on 127.0.0.1:0, and options pointing at them; what tests do in or read back from each
 * system is in `read-back.ts` (re-exported here).
 */
import { SANDBOX_APP } from '../../connectors/dynamics/test-support.ts';
import { avalaraSandbox } from '../../sandboxes/avalara/avalara-sandbox.ts';
import { createDynamicsSandbox } from '../../sandboxes/dynamics/dynamics-sandbox.ts';
import type { SandboxInstance } from '../../sandboxes/kit/index.ts';
import { sapSandbox } from '../../sandboxes/sap/sap-sandbox.ts';
import type { ManufacturerOptions } from './deps.ts';

/** The three sandboxes. */
export interface ManufacturerSandboxes {
  dynamics: SandboxInstance;
  sap: SandboxInstance;
  avalara: SandboxInstance;
  options: ManufacturerOptions;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the three seeded sandboxes. */
export async function startManufacturerSandboxes(): Promise<ManufacturerSandboxes> {
  const at = { host: '127.0.0.1', port: 0, seed: true };
  const [dynamics, sap, avalara] = await Promise.all([createDynamicsSandbox().start(at), sapSandbox.start(at), avalaraSandbox.start(at)]);
  const state = (await (await fetch(`${sap.url}/__sandbox/state`)).json()) as { basicAuth: { username: string; password: string } };
  const allow = ['127.0.0.1'];
  const options: ManufacturerOptions = {
    dynamics: { environmentUrl: dynamics.url, loginUrl: dynamics.url, credentials: SANDBOX_APP, allow },
    sap: { baseUrl: sap.url, credentials: { kind: 'basic', ...state.basicAuth }, allow },
    avalara: { accountId: '2001', licenseKey: 'license', baseUrl: avalara.url, allow },
  };
  const all = [dynamics, sap, avalara];
  return {
    dynamics,
    sap,
    avalara,
    options,
    reset: async () => {
      await Promise.all(all.map((s) => s.reset()));
    },
    close: async () => {
      await Promise.all(all.map((s) => s.close()));
    },
  };
}

export { integrationColumns, patchRow, sapOrdersOf, seededAccount, seededOpportunity, winOpportunity } from './read-back.ts';
