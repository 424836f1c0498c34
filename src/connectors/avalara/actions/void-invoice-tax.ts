/**
 * Voids a committed invoice document (compensation when the sale it taxed is undone). Safe to
 * repeat: voiding a voided document leaves it `Cancelled`.
 */
import type { AvalaraClient } from '../client.ts';
import type { TaxTransaction } from '../types.ts';

/** Voids the document with code `code` (the idempotency key it was committed under). */
export async function voidInvoiceTax(client: AvalaraClient, code: string): Promise<TaxTransaction> {
  const path = `companies/${encodeURIComponent(client.companyCode)}/transactions/${encodeURIComponent(code)}/void`;
  return client.post<TaxTransaction>(path, { code: 'DocVoided' });
}
