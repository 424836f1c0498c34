/**
 * Test set-up of the manufacturer story: the Dynamics 365, SAP S/4HANA and Avalara sandboxes,
 * seeded, on 127.0.0.1:0; options pointing at them; and what tests do in or read back from each
 * system (winning an opportunity as a salesperson would, the opportunity's integration columns,
 * the SAP sales orders carrying a deal's reference).
 */
import { SANDBOX_APP } from '../../connectors/dynamics/test-support.ts';
import type { DynamicsClient } from '../../connectors/dynamics/client.ts';
import { SO_SERVICE } from '../../connectors/sap/actions/sales-order.ts';
import type { SapClient } from '../../connectors/sap/client.ts';
import { collection, literal } from '../../connectors/sap/odata.ts';
import { avalaraSandbox } from '../../sandboxes/avalara/avalara-sandbox.ts';
import { createDynamicsSandbox } from '../../sandboxes/dynamics/dynamics-sandbox.ts';
import { nameGuid } from '../../sandboxes/dynamics/records.ts';
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

/** The id of seeded opportunity `key` (`OPP-1`, `OPP-2`, `OPP-3`). */
export function seededOpportunity(key: 'OPP-1' | 'OPP-2' | 'OPP-3'): string {
  return nameGuid(`opportunity:${key}`);
}

/** The id of seeded account `number` (`CUST-1001`…). */
export function seededAccount(number: string): string {
  return nameGuid(`account:${number}`);
}

/** Wins the opportunity as a salesperson does (the WinOpportunity action). */
export async function winOpportunity(client: DynamicsClient, opportunityId: string): Promise<void> {
  await client.api({
    method: 'POST',
    path: 'WinOpportunity',
    json: { Status: 3, OpportunityClose: { subject: 'Won', 'opportunityid@odata.bind': `/opportunities(${opportunityId})` } },
  });
}

/** Updates a Dynamics row as a person would. */
export async function patchRow(client: DynamicsClient, entitySet: string, id: string, fields: Record<string, unknown>): Promise<void> {
  await client.api({ method: 'PATCH', path: `${entitySet}(${id})`, json: fields, headers: { 'if-match': '*' } });
}

/** The opportunity's integration columns. */
export async function integrationColumns(client: DynamicsClient, opportunityId: string): Promise<Record<string, unknown>> {
  const columns = ['il_integrationstatus', 'il_integrationerror', 'il_erpordernumber', 'il_shipmentstatus', 'il_billingstatus', 'il_paymentstatus'];
  const res = await client.api<Record<string, unknown>>({ method: 'GET', path: `opportunities(${opportunityId})`, query: { $select: columns.join(',') } });
  return Object.fromEntries(columns.map((c) => [c, res.body[c] ?? null]));
}

/** SAP's sales orders whose `PurchaseOrderByCustomer` is the opportunity (dashes dropped, as the mapping does). */
export async function sapOrdersOf(client: SapClient, opportunityId: string): Promise<Array<{ SalesOrder: string; DeliveryBlockReason: string; TotalNetAmount: string }>> {
  const reference = opportunityId.replaceAll('-', '').slice(0, 35);
  const res = await client.get(SO_SERVICE, 'A_SalesOrder', { $filter: `PurchaseOrderByCustomer eq ${literal(reference)}` });
  return collection<Record<string, unknown>>(res.body).results.map((r) => ({
    SalesOrder: String(r['SalesOrder']),
    DeliveryBlockReason: String(r['DeliveryBlockReason'] ?? ''),
    TotalNetAmount: String(r['TotalNetAmount'] ?? ''),
  }));
}
