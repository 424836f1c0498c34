/**
 * What the Avalara connector takes and gives: a tax document built from an Order-like shape
 * (lines with tax code, amount and quantity; ship-from and ship-to addresses), and AvaTax's
 * TransactionModel reduced to the fields flows use. Written from the AvaTax REST v2 reference.
 */

/** An address as AvaTax takes it (country ISO 3166 alpha-2, region the state or province code). */
export interface TaxAddress {
  line1?: string;
  line2?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country: string;
}

/** One taxable line. */
export interface TaxLine {
  /** Line number, unique in the document, e.g. the order line number. */
  number: string;
  /** Extended amount (quantity × unit price, after discount), in major units of the currency. */
  amount: number;
  quantity: number;
  /** Avalara tax code, e.g. `P0000000` (tangible) or `SW054000` (SaaS). @default 'P0000000' */
  taxCode?: string;
  /** The item's SKU. */
  itemCode?: string;
  description?: string;
}

/** A document to calculate tax for. */
export interface TaxDocumentInput {
  /** The buyer, e.g. the canonical customer id or CRM account id. */
  customerCode: string;
  /** Document date, `YYYY-MM-DD`. */
  date: string;
  /** ISO 4217, e.g. `USD`. */
  currency: string;
  shipFrom: TaxAddress;
  shipTo: TaxAddress;
  lines: readonly TaxLine[];
  purchaseOrderNo?: string;
  /** Exemption certificate number; makes the document exempt. */
  exemptionNo?: string;
  /** Entity use code (e.g. `E` charitable); makes the document exempt. */
  entityUseCode?: string;
}

/** Tax of one jurisdiction on one line. */
export interface TaxDetail {
  jurisName: string;
  jurisType: string;
  rate: number;
  tax: number;
  taxName: string;
}

/** A line of a calculated document. */
export interface TaxedLine {
  lineNumber: string;
  tax: number;
  taxableAmount: number;
  exemptAmount: number;
  details: TaxDetail[];
}

/** AvaTax document statuses. */
export type TransactionStatus = 'Temporary' | 'Saved' | 'Posted' | 'Committed' | 'Cancelled' | 'Adjusted';

/** A calculated document (AvaTax TransactionModel, the fields flows use). */
export interface TaxTransaction {
  /** 0 for an estimate (not saved). */
  id: number;
  code: string;
  type: string;
  status: TransactionStatus;
  date: string;
  customerCode: string;
  currencyCode: string;
  totalAmount: number;
  totalTax: number;
  totalTaxable: number;
  totalExempt: number;
  lines: TaxedLine[];
}
