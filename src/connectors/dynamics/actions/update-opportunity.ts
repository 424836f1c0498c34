/**
 * Writes the integration's outcome back onto an opportunity: status and readable error, the ERP
 * order number, and the shipment, billing and payment status the ERP events report. Update only
 * (`If-Match: *`): a deleted opportunity is never recreated by a late event. Pass `etag` to
 * refuse the write when the row changed since it was read (→ conflict).
 */
import type { DynamicsClient } from '../client.ts';
import { guid } from './odata.ts';

/** What to write; undefined leaves a column as it is, null empties it. */
export interface OpportunityUpdate {
  opportunityId: string;
  /** `il_integrationstatus`, e.g. `Pending`, `Synced`, `Error`. */
  integrationStatus?: string | null;
  /** `il_integrationerror`: text a salesperson can act on. */
  integrationError?: string | null;
  /** `il_erpordernumber`: the ERP sales order number. */
  erpOrderNumber?: string | null;
  /** `il_shipmentstatus`, e.g. `Shipped 2026-11-02`. */
  shipmentStatus?: string | null;
  /** `il_billingstatus`, e.g. `Invoiced 90000123`. */
  billingStatus?: string | null;
  /** `il_paymentstatus`, e.g. `Paid`, `Overdue`. */
  paymentStatus?: string | null;
  /** Only if the row still has this `@odata.etag`. */
  etag?: string;
}

const COLUMNS: ReadonlyArray<[keyof OpportunityUpdate, string]> = [
  ['integrationStatus', 'il_integrationstatus'],
  ['integrationError', 'il_integrationerror'],
  ['erpOrderNumber', 'il_erpordernumber'],
  ['shipmentStatus', 'il_shipmentstatus'],
  ['billingStatus', 'il_billingstatus'],
  ['paymentStatus', 'il_paymentstatus'],
];

/** Longest text a multiple-lines-of-text column holds by default. */
const MAX_TEXT = 2000;

/** Updates the integration columns (repeating it writes the same values: idempotent). */
export async function updateOpportunity(client: DynamicsClient, input: OpportunityUpdate): Promise<void> {
  const body: Record<string, string | null> = {};
  for (const [key, column] of COLUMNS) {
    const value = input[key];
    if (value !== undefined) body[column] = typeof value === 'string' ? value.slice(0, MAX_TEXT) : value;
  }
  if (Object.keys(body).length === 0) return;
  await client.api({ method: 'PATCH', path: `opportunities(${guid(input.opportunityId, 'opportunityId')})`, json: body, headers: { 'if-match': input.etag ?? '*' } });
}
