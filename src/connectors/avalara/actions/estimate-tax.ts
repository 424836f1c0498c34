/**
 * Estimates tax for an order as a `SalesOrder`: calculated, never saved or committed, so it may
 * be repeated freely (lead-to-order validates tax attributes with it).
 */
import { buildCreateTransaction } from '../build-transaction.ts';
import type { AvalaraClient } from '../client.ts';
import type { TaxDocumentInput, TaxTransaction } from '../types.ts';

/** The calculated estimate (`status: Temporary`, `id: 0`). */
export async function estimateTax(client: AvalaraClient, input: TaxDocumentInput): Promise<TaxTransaction> {
  return client.post<TaxTransaction>('transactions/create', buildCreateTransaction(input, { type: 'SalesOrder', companyCode: client.companyCode, commit: false }));
}
