/**
 * The request of `POST /api/v2/transactions/create` (AvaTax's CreateTransactionModel), checked
 * field by field so bad input gets AvaTax's own errors: `ValueRequiredError`, `MissingLine`,
 * `MissingAddress`, `InvalidAddress`, `InvalidDocumentType`, `EntityNotFoundError` for an unknown
 * tax code.
 */
import { AvaTaxError, valueRequired } from './avatax-error.ts';
import { TAX_CODES } from './tax-table.ts';

/** The document types the sandbox accepts; `*Order` are estimates, `*Invoice` are saved. */
export const DOCUMENT_TYPES = ['SalesOrder', 'SalesInvoice', 'ReturnOrder', 'ReturnInvoice', 'PurchaseOrder', 'PurchaseInvoice'] as const;

/** One of {@link DOCUMENT_TYPES}. */
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** An address as AvaTax takes it. */
export interface AddressInfo {
  line1: string | null;
  city: string | null;
  region: string;
  country: string;
  postalCode: string | null;
}

/** One validated line. */
export interface LineInput {
  number: string;
  quantity: number;
  amount: number;
  taxCode: string;
  itemCode: string | null;
  description: string | null;
  taxIncluded: boolean;
  shipTo: AddressInfo;
}

/** A validated CreateTransactionModel. */
export interface CreateTransactionInput {
  type: DocumentType;
  code: string | null;
  companyCode: string;
  date: string;
  customerCode: string;
  commit: boolean;
  currencyCode: string;
  purchaseOrderNo: string | null;
  exempt: boolean;
  shipFrom: AddressInfo;
  lines: LineInput[];
}

type Json = Record<string, unknown>;

/** Checks a request body; throws AvaTaxError naming the first problem. */
export function parseCreateTransaction(body: unknown): CreateTransactionInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AvaTaxError(400, 'ModelRequiredException', 'Your request must include a model of type CreateTransactionModel.', 'IncorrectData');
  }
  const model = body as Json;
  const type = model.type === undefined ? 'SalesOrder' : model.type;
  if (typeof type !== 'string' || !(DOCUMENT_TYPES as readonly string[]).includes(type)) {
    throw new AvaTaxError(400, 'InvalidDocumentType', `Document type '${String(type)}' is not supported. Use one of: ${DOCUMENT_TYPES.join(', ')}.`, 'IncorrectData', 'type');
  }
  const customerCode = text(model, 'customerCode');
  if (customerCode === null) throw valueRequired('customerCode');
  const date = text(model, 'date');
  if (date === null) throw valueRequired('date');
  if (!/^\d{4}-\d{2}-\d{2}/.test(date) || Number.isNaN(Date.parse(date))) {
    throw new AvaTaxError(400, 'DateFormatError', `The date '${date}' is not a valid date; use YYYY-MM-DD.`, 'IncorrectData', 'date');
  }
  const addresses = (model.addresses ?? {}) as Json;
  const single = address(addresses.singleLocation, 'addresses.singleLocation');
  const shipFrom = address(addresses.shipFrom, 'addresses.shipFrom') ?? single;
  const shipTo = address(addresses.shipTo, 'addresses.shipTo') ?? single;
  const rawLines = model.lines;
  if (!Array.isArray(rawLines) || rawLines.length === 0) {
    throw new AvaTaxError(400, 'MissingLine', 'The transaction must have at least one line.', 'IncorrectData', 'lines');
  }
  const lines = rawLines.map((raw, i) => line(raw, i, shipTo));
  if (shipFrom === null) {
    throw new AvaTaxError(400, 'MissingAddress', 'An address is missing: provide addresses.shipFrom and addresses.shipTo, or addresses.singleLocation.', 'IncorrectData', 'addresses');
  }
  return {
    type: type as DocumentType,
    code: text(model, 'code'),
    companyCode: text(model, 'companyCode') ?? 'DEFAULT',
    date: date.slice(0, 10),
    customerCode,
    commit: model.commit === true,
    currencyCode: text(model, 'currencyCode') ?? 'USD',
    purchaseOrderNo: text(model, 'purchaseOrderNo'),
    exempt: text(model, 'exemptionNo') !== null || text(model, 'entityUseCode') !== null || text(model, 'customerUsageType') !== null,
    shipFrom,
    lines,
  };
}

function line(raw: unknown, index: number, shipTo: AddressInfo | null): LineInput {
  const at = `lines[${index}]`;
  if (typeof raw !== 'object' || raw === null) throw valueRequired(at);
  const model = raw as Json;
  const amount = model.amount;
  if (typeof amount !== 'number' || !Number.isFinite(amount)) throw valueRequired(`${at}.amount`);
  const quantity = model.quantity ?? 1;
  if (typeof quantity !== 'number' || !Number.isFinite(quantity)) {
    throw new AvaTaxError(400, 'IncorrectFieldValue', `${at}.quantity must be a number.`, 'IncorrectData', `${at}.quantity`);
  }
  const taxCode = (text(model, 'taxCode') ?? 'P0000000').toUpperCase();
  if (!TAX_CODES.has(taxCode)) {
    throw new AvaTaxError(400, 'EntityNotFoundError', `TaxCode '${taxCode}' not found.`, 'IncorrectData', `${at}.taxCode`);
  }
  const lineAddresses = (model.addresses ?? {}) as Json;
  const destination = address(lineAddresses.shipTo, `${at}.addresses.shipTo`) ?? shipTo;
  if (destination === null) {
    throw new AvaTaxError(400, 'MissingAddress', `An address is missing: ${at} has no destination (addresses.shipTo or addresses.singleLocation).`, 'IncorrectData', 'addresses');
  }
  return {
    number: text(model, 'number') ?? String(index + 1),
    quantity,
    amount,
    taxCode,
    itemCode: text(model, 'itemCode'),
    description: text(model, 'description'),
    taxIncluded: model.taxIncluded === true,
    shipTo: destination,
  };
}

function address(raw: unknown, at: string): AddressInfo | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object') throw new AvaTaxError(400, 'InvalidAddress', `${at} must be an address object.`, 'IncorrectData', at);
  const model = raw as Json;
  let country = (text(model, 'country') ?? '').toUpperCase();
  if (country === 'USA' || country === 'UNITED STATES') country = 'US';
  if (!/^[A-Z]{2}$/.test(country)) {
    throw new AvaTaxError(400, 'InvalidCountry', `${at}.country must be a two-letter ISO 3166 country code.`, 'IncorrectData', `${at}.country`);
  }
  const region = (text(model, 'region') ?? '').toUpperCase();
  if (country === 'US' && !/^[A-Z]{2}$/.test(region)) {
    throw new AvaTaxError(400, 'InvalidAddress', `${at}.region must be a two-letter US state code.`, 'IncorrectData', `${at}.region`);
  }
  return { line1: text(model, 'line1'), city: text(model, 'city'), region, country, postalCode: text(model, 'postalCode') };
}

function text(model: Json, field: string): string | null {
  const value = model[field];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new AvaTaxError(400, 'IncorrectFieldValue', `Field '${field}' must be a string.`, 'IncorrectData', field);
}
