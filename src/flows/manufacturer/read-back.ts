/**
 * What the demo and the tests do in, or read back from, the manufacturer's systems: win an
 * opportunity as a salesperson does, the opportunity's integration columns, the SAP sales orders
 * carrying a deal's reference, and the seeded records' ids.
 */
import type { DynamicsClient } from '../../connectors/dynamics/client.ts';
import { SO_SERVICE } from '../../connectors/sap/actions/sales-order.ts';
import type { SapClient } from '../../connectors/sap/client.ts';
import { collection, literal } from '../../connectors/sap/odata.ts';
import { nameGuid } from '../../sandboxes/dynamics/records.ts';

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
