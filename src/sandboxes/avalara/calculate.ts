/**
 * Computes an AvaTax TransactionModel from a validated request with the sandbox's tax table:
 * per line the levies of its destination, per levy a `details[]` entry, and a `summary[]` that
 * adds them up by jurisdiction. Amounts are rounded to cents per levy, as AvaTax reports them.
 */
import type { AddressInfo, CreateTransactionInput } from './create-transaction-model.ts';
import { leviesFor } from './tax-table.ts';

/** The sandbox's one company id. */
export const COMPANY_ID = 7_100_001;

/** Identity of a new transaction. */
export interface TransactionIdentity {
  /** Numeric id (0 for estimates, which AvaTax does not save). */
  id: number;
  /** Document code. */
  code: string;
  /** ISO timestamp of the calculation. */
  now: string;
}

const round2 = (n: number): number => Math.round((n + Number.EPSILON) * 100) / 100;

/** The AvaTax response for `input`. */
export function calculateTransaction(input: CreateTransactionInput, identity: TransactionIdentity): Record<string, unknown> {
  const saved = input.type.endsWith('Invoice');
  const summary = new Map<string, Record<string, unknown> & { taxable: number; tax: number; nonTaxable: number }>();
  const lines = input.lines.map((line, index) => {
    const levies = input.exempt ? [] : leviesFor(line.shipTo.country, line.shipTo.region, line.taxCode);
    const totalRate = levies.reduce((sum, l) => sum + l.rate, 0);
    // With taxIncluded the amount already holds the tax: the taxable base is what remains.
    const base = line.taxIncluded ? round2(line.amount / (1 + totalRate)) : line.amount;
    const exempt = levies.length === 0 || totalRate === 0;
    const details = levies.map((levy) => {
      const tax = round2(base * levy.rate);
      const key = `${line.shipTo.country}|${line.shipTo.region}|${levy.jurisType}|${levy.jurisCode}`;
      const entry = summary.get(key) ?? {
        country: line.shipTo.country,
        region: line.shipTo.region,
        jurisType: levy.jurisType === 'CNT' ? 'Country' : jurisTypeName(levy.jurisType),
        jurisCode: levy.jurisCode,
        jurisName: levy.jurisName,
        taxAuthorityType: 45,
        taxType: levy.taxType,
        taxName: levy.taxName,
        rateType: 'General',
        rateTypeCode: 'G',
        rate: levy.rate,
        taxable: 0,
        tax: 0,
        taxCalculated: 0,
        nonTaxable: 0,
        exemption: 0,
      };
      entry.taxable = round2(entry.taxable + base);
      entry.tax = round2(entry.tax + tax);
      entry.taxCalculated = entry.tax;
      summary.set(key, entry);
      return {
        id: identity.id === 0 ? 0 : identity.id * 1000 + index * 10 + detailIndex(levy.jurisType),
        transactionLineId: identity.id === 0 ? 0 : identity.id * 100 + index,
        transactionId: identity.id,
        country: line.shipTo.country,
        region: line.shipTo.region,
        exemptAmount: 0,
        jurisCode: levy.jurisCode,
        jurisName: levy.jurisName,
        jurisType: levy.jurisType,
        jurisdictionType: levy.jurisType === 'CNT' ? 'Country' : jurisTypeName(levy.jurisType),
        nonTaxableAmount: 0,
        rate: levy.rate,
        tax,
        taxableAmount: base,
        taxType: levy.taxType,
        taxName: levy.taxName,
        taxCalculated: tax,
        rateType: 'General',
        rateTypeCode: 'G',
      };
    });
    const tax = round2(details.reduce((sum, d) => sum + d.tax, 0));
    return {
      id: identity.id === 0 ? 0 : identity.id * 100 + index,
      transactionId: identity.id,
      lineNumber: line.number,
      description: line.description ?? '',
      itemCode: line.itemCode ?? '',
      quantity: line.quantity,
      lineAmount: line.taxIncluded ? round2(line.amount - tax) : line.amount,
      discountAmount: 0,
      exemptAmount: exempt ? base : 0,
      isItemTaxable: !exempt,
      taxableAmount: exempt ? 0 : base,
      tax,
      taxCalculated: tax,
      taxCode: line.taxCode,
      taxDate: input.date,
      taxIncluded: line.taxIncluded,
      reportingDate: input.date,
      details,
    };
  });
  const sum = (pick: (l: (typeof lines)[number]) => number): number => round2(lines.reduce((s, l) => s + pick(l), 0));
  const destination = input.lines[0]?.shipTo;
  return {
    id: identity.id,
    code: identity.code,
    companyId: COMPANY_ID,
    date: input.date,
    status: !saved ? 'Temporary' : input.commit ? 'Committed' : 'Saved',
    type: input.type,
    currencyCode: input.currencyCode,
    customerCode: input.customerCode,
    customerVendorCode: input.customerCode,
    purchaseOrderNo: input.purchaseOrderNo,
    reconciled: false,
    locked: false,
    region: destination?.region ?? '',
    country: destination?.country ?? '',
    version: 1,
    softwareVersion: '24.6.0.0',
    exchangeRate: 1,
    totalAmount: sum((l) => l.lineAmount),
    totalExempt: sum((l) => l.exemptAmount),
    totalDiscount: 0,
    totalTax: sum((l) => l.tax),
    totalTaxable: sum((l) => l.taxableAmount),
    totalTaxCalculated: sum((l) => l.taxCalculated),
    taxDate: input.date,
    modifiedDate: identity.now,
    lines,
    addresses: [addressModel(identity.id, 1, input.shipFrom), ...uniqueDestinations(input).map((a, i) => addressModel(identity.id, i + 2, a))],
    summary: [...summary.values()],
    messages: [],
  };
}

const JURIS_TYPE_NAMES: Readonly<Record<string, string>> = { STA: 'State', CTY: 'County', CIT: 'City', STJ: 'Special' };
const JURIS_TYPE_ORDER: readonly string[] = ['STA', 'CTY', 'CIT', 'STJ', 'CNT'];

function jurisTypeName(type: string): string {
  return JURIS_TYPE_NAMES[type] ?? 'Country';
}

// A stable small offset so detail ids differ within a line.
function detailIndex(type: string): number {
  return JURIS_TYPE_ORDER.indexOf(type);
}

function uniqueDestinations(input: CreateTransactionInput): AddressInfo[] {
  const seen = new Map<string, AddressInfo>();
  for (const line of input.lines) seen.set(JSON.stringify(line.shipTo), line.shipTo);
  return [...seen.values()];
}

function addressModel(transactionId: number, n: number, a: AddressInfo): Record<string, unknown> {
  return {
    id: transactionId === 0 ? 0 : transactionId * 10 + n,
    transactionId,
    boundaryLevel: 'Address',
    line1: a.line1,
    city: a.city,
    region: a.region,
    postalCode: a.postalCode,
    country: a.country,
    taxRegionId: 0,
  };
}
