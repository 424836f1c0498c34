/**
 * Builds AvaTax's CreateTransactionModel from a {@link TaxDocumentInput}. Pure, so what is sent
 * for an estimate and for the committed invoice of the same order is the same document.
 */
import { InterlockError } from '../../core/errors.ts';
import type { TaxAddress, TaxDocumentInput } from './types.ts';

/** How the document is recorded. */
export interface DocumentKind {
  /** `SalesOrder` is an estimate (not saved); `SalesInvoice` is saved. */
  type: 'SalesOrder' | 'SalesInvoice';
  companyCode: string;
  /** Document code; AvaTax invents one when absent. */
  code?: string;
  commit: boolean;
}

/** The request body of `POST /api/v2/transactions/create`. */
export function buildCreateTransaction(input: TaxDocumentInput, kind: DocumentKind): Record<string, unknown> {
  if (input.lines.length === 0) throw invalid('lines', 'a tax document needs at least one line');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.date)) throw invalid('date', `date must be YYYY-MM-DD, got '${input.date}'`);
  const numbers = new Set<string>();
  for (const line of input.lines) {
    if (!Number.isFinite(line.amount) || !Number.isFinite(line.quantity)) throw invalid(`lines[${line.number}]`, 'amount and quantity must be finite numbers');
    if (numbers.has(line.number)) throw invalid(`lines[${line.number}]`, `line number ${line.number} appears twice`);
    numbers.add(line.number);
  }
  return {
    type: kind.type,
    companyCode: kind.companyCode,
    code: kind.code,
    commit: kind.commit,
    date: input.date,
    customerCode: input.customerCode,
    currencyCode: input.currency.toUpperCase(),
    purchaseOrderNo: input.purchaseOrderNo,
    exemptionNo: input.exemptionNo,
    entityUseCode: input.entityUseCode,
    addresses: { shipFrom: address(input.shipFrom), shipTo: address(input.shipTo) },
    lines: input.lines.map((line) => ({
      number: line.number,
      quantity: line.quantity,
      amount: line.amount,
      taxCode: line.taxCode ?? 'P0000000',
      itemCode: line.itemCode,
      description: line.description,
    })),
  };
}

function address(a: TaxAddress): Record<string, string | undefined> {
  return { line1: a.line1, line2: a.line2, city: a.city, region: a.region, postalCode: a.postalCode, country: a.country.toUpperCase() };
}

function invalid(field: string, message: string): InterlockError {
  return new InterlockError('validation', `Avalara: ${message}`, { details: { field } });
}
