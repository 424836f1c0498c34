/**
 * Computes an AvaTax TransactionModel from a validated request with the sandbox's tax table:
 * per line the levies of its destination, per levy a `details[]` entry, and a `summary[]` that
 * adds them up by jurisdiction. Amounts are rounded to cents per levy, as AvaTax reports them.
 */
import type { AddressInfo, CreateTransactionInput, LineInput } from './create-transaction-model.ts';
import { leviesFor, type Levy } from './tax-table.ts';

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

/** One jurisdiction's line in the `summary[]` of a transaction. */
interface SummaryEntry {
  country: string;
  region: string;
  jurisType: string;
  jurisCode: string;
  jurisName: string;
  taxAuthorityType: number;
  taxType: string;
  taxName: string;
  rateType: string;
  rateTypeCode: string;
  rate: number;
  taxable: number;
  tax: number;
  taxCalculated: number;
  nonTaxable: number;
  exemption: number;
}

/**
 * The AvaTax response for `input`. Plain loops, no intermediate arrays or closures: this runs on
 * every estimate, and the sandboxes benchmark holds it to half the speed of a bare handler.
 */
export function calculateTransaction(input: CreateTransactionInput, identity: TransactionIdentity): Record<string, unknown> {
  const saved = input.type.endsWith('Invoice');
  const id = identity.id;
  const summary = new Map<string, SummaryEntry>();
  const lines = new Array<Record<string, unknown>>(input.lines.length);
  // Document totals, each added up in line order and rounded once, as AvaTax reports them.
  let totalAmount = 0;
  let totalExempt = 0;
  let totalTax = 0;
  let totalTaxable = 0;
  for (let index = 0; index < input.lines.length; index++) {
    const line = input.lines[index] as LineInput;
    const { country, region } = line.shipTo;
    const levies = input.exempt ? NO_LEVIES : leviesFor(country, region, line.taxCode);
    let totalRate = 0;
    for (const levy of levies) totalRate += levy.rate;
    // With taxIncluded the amount already holds the tax: the taxable base is what remains.
    const base = line.taxIncluded ? round2(line.amount / (1 + totalRate)) : line.amount;
    const exempt = levies.length === 0 || totalRate === 0;
    const details = new Array<Record<string, unknown>>(levies.length);
    let lineTax = 0;
    for (let d = 0; d < levies.length; d++) {
      const levy = levies[d] as Levy;
      const tax = round2(base * levy.rate);
      lineTax += tax;
      const jurisdictionType = jurisTypeName(levy.jurisType);
      const key = `${country}|${region}|${levy.jurisType}|${levy.jurisCode}`;
      let entry = summary.get(key);
      if (entry === undefined) {
        entry = {
          country,
          region,
          jurisType: jurisdictionType,
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
        summary.set(key, entry);
      }
      entry.taxable = round2(entry.taxable + base);
      entry.tax = round2(entry.tax + tax);
      entry.taxCalculated = entry.tax;
      details[d] = {
        id: id === 0 ? 0 : id * 1000 + index * 10 + detailIndex(levy.jurisType),
        transactionLineId: id === 0 ? 0 : id * 100 + index,
        transactionId: id,
        country,
        region,
        exemptAmount: 0,
        jurisCode: levy.jurisCode,
        jurisName: levy.jurisName,
        jurisType: levy.jurisType,
        jurisdictionType,
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
    }
    const tax = round2(lineTax);
    const lineAmount = line.taxIncluded ? round2(line.amount - tax) : line.amount;
    const exemptAmount = exempt ? base : 0;
    const taxableAmount = exempt ? 0 : base;
    totalAmount += lineAmount;
    totalExempt += exemptAmount;
    totalTax += tax;
    totalTaxable += taxableAmount;
    lines[index] = {
      id: id === 0 ? 0 : id * 100 + index,
      transactionId: id,
      lineNumber: line.number,
      description: line.description ?? '',
      itemCode: line.itemCode ?? '',
      quantity: line.quantity,
      lineAmount,
      discountAmount: 0,
      exemptAmount,
      isItemTaxable: !exempt,
      taxableAmount,
      tax,
      taxCalculated: tax,
      taxCode: line.taxCode,
      taxDate: input.date,
      taxIncluded: line.taxIncluded,
      reportingDate: input.date,
      details,
    };
  }
  const destination = input.lines[0]?.shipTo;
  const destinations = uniqueDestinations(input);
  const addresses = new Array<Record<string, unknown>>(destinations.length + 1);
  addresses[0] = addressModel(id, 1, input.shipFrom);
  for (let i = 0; i < destinations.length; i++) addresses[i + 1] = addressModel(id, i + 2, destinations[i] as AddressInfo);
  return {
    id,
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
    totalAmount: round2(totalAmount),
    totalExempt: round2(totalExempt),
    totalDiscount: 0,
    totalTax: round2(totalTax),
    totalTaxable: round2(totalTaxable),
    // Every line's calculated tax is its tax: the sandbox applies no overrides.
    totalTaxCalculated: round2(totalTax),
    taxDate: input.date,
    modifiedDate: identity.now,
    lines,
    addresses,
    summary: [...summary.values()],
    messages: [],
  };
}

const NO_LEVIES: readonly Levy[] = [];

function jurisTypeName(type: Levy['jurisType']): string {
  switch (type) {
    case 'STA':
      return 'State';
    case 'CTY':
      return 'County';
    case 'CIT':
      return 'City';
    case 'STJ':
      return 'Special';
    default:
      return 'Country';
  }
}

// A stable small offset so detail ids differ within a line.
function detailIndex(type: Levy['jurisType']): number {
  switch (type) {
    case 'STA':
      return 0;
    case 'CTY':
      return 1;
    case 'CIT':
      return 2;
    case 'STJ':
      return 3;
    default:
      return 4;
  }
}

const sameAddress = (a: AddressInfo, b: AddressInfo): boolean =>
  a === b || (a.line1 === b.line1 && a.city === b.city && a.region === b.region && a.country === b.country && a.postalCode === b.postalCode);

// The distinct destinations in line order; lines without their own share the document's object.
function uniqueDestinations(input: CreateTransactionInput): AddressInfo[] {
  const seen: AddressInfo[] = [];
  for (const line of input.lines) {
    let known = false;
    for (const s of seen) {
      if (sameAddress(s, line.shipTo)) {
        known = true;
        break;
      }
    }
    if (!known) seen.push(line.shipTo);
  }
  return seen;
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
