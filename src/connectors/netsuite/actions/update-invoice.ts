/**
 * Updates fields of an invoice (billing feedback marks a failed payment on it, or clears the
 * mark once paid). A PATCH writes the same values however often it is repeated.
 */
import type { NetSuiteClient } from '../client.ts';
import type { NetSuiteRef } from './records.ts';
import { recordPath } from './records.ts';

/** Sets `fields` on the invoice; custom body fields (`custbody…`) included. */
export async function updateInvoice(client: NetSuiteClient, key: NetSuiteRef, fields: Readonly<Record<string, unknown>>): Promise<void> {
  if (Object.keys(fields).length === 0) return;
  await client.rest({ method: 'PATCH', path: recordPath('invoice', key), json: fields });
}
