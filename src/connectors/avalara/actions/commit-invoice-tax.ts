/**
 * Records the tax of an invoice as a committed `SalesInvoice` whose document code is the caller's
 * idempotency key. AvaTax refuses to re-create a committed code (`DocumentCodeConflict`), so a
 * retry — after a dropped response, say — finds the document the first attempt committed instead
 * of failing or creating a second one.
 */
import { InterlockError } from '../../../core/errors.ts';
import { buildCreateTransaction } from '../build-transaction.ts';
import type { AvalaraClient } from '../client.ts';
import type { TaxDocumentInput, TaxTransaction } from '../types.ts';

/** Input of {@link commitInvoiceTax}. */
export interface CommitInvoiceTaxInput {
  document: TaxDocumentInput;
  /** Becomes the document code: one key, one document. AvaTax codes are at most 50 characters. */
  idempotencyKey: string;
}

/** The committed document and whether this call found it already there. */
export interface CommitInvoiceTaxResult {
  transaction: TaxTransaction;
  existed: boolean;
}

/** Creates and commits the invoice document, or returns the one already committed under the key. */
export async function commitInvoiceTax(client: AvalaraClient, input: CommitInvoiceTaxInput): Promise<CommitInvoiceTaxResult> {
  const code = input.idempotencyKey;
  if (code === '' || code.length > 50) {
    throw new InterlockError('validation', 'an Avalara document code (the idempotency key) must be 1 to 50 characters', { details: { field: 'idempotencyKey' } });
  }
  const body = buildCreateTransaction(input.document, { type: 'SalesInvoice', companyCode: client.companyCode, code, commit: true });
  try {
    return { transaction: await client.post<TaxTransaction>('transactions/create', body), existed: false };
  } catch (err) {
    if (!(err instanceof InterlockError) || err.details?.avataxCode !== 'DocumentCodeConflict') throw err;
  }
  const existing = await client.get<TaxTransaction>(`companies/${encodeURIComponent(client.companyCode)}/transactions/${encodeURIComponent(code)}`);
  // The same key for another buyer is a caller's mistake, not a retry: say so.
  if (existing.customerCode !== input.document.customerCode || existing.type !== 'SalesInvoice') {
    throw new InterlockError('conflict', `Avalara document ${code} already exists for another customer or type`, {
      details: { vendor: 'Avalara', code, customerCode: existing.customerCode },
    });
  }
  return { transaction: existing, existed: true };
}
