/**
 * The SuiteQL tables the sandbox offers, projected from stored records: `customer`,
 * `transaction` (sales orders `SalesOrd`, invoices `CustInvc`, payments `CustPymt`),
 * `transactionline` (with the main line, `mainline = 'T'`, as NetSuite has it), `item`,
 * `subsidiary` and `currency`. Column names are lower-case, as SuiteQL returns them.
 */
import { refName } from '../render.ts';
import { NS_RECORD_TYPES } from '../schema.ts';
import type { NsRecord, NsStore } from '../store.ts';

/** A cell: text, number, time (epoch ms in a `{t}` box, so it prints as a date) or null. */
export type Cell = string | number | { readonly t: number } | null;

/** One row of a table, by lower-case column name. */
export type TableRow = Record<string, Cell>;

/** A table: its columns and how to produce its rows. */
export interface SuiteQlTable {
  /** Column names. */
  readonly columns: readonly string[];
  /** The rows. */
  rows(store: NsStore): TableRow[];
}

const STATUS_LETTER: Readonly<Record<string, string>> = { 'Pending Fulfillment': 'B', Open: 'A', 'Paid In Full': 'B', 'Not Deposited': 'A', Deposited: 'B' };

function recordsOf(store: NsStore, table: string): NsRecord[] {
  return store.list(new Set(NS_RECORD_TYPES.filter((t) => t.table === table).map((t) => t.name)));
}

function codeOf(type: string): string | null {
  return NS_RECORD_TYPES.find((t) => t.name === type)?.code ?? null;
}

function text(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function num(v: unknown): number | null {
  return typeof v === 'number' ? v : null;
}

function flag(v: unknown): string {
  return v === true ? 'T' : 'F';
}

function time(v: unknown): { t: number } | null {
  if (typeof v !== 'string') return null;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  return Number.isNaN(t) ? null : { t };
}

function table(columns: string[], rows: (store: NsStore) => TableRow[]): SuiteQlTable {
  return { columns, rows };
}

/** The tables by name. */
export const SUITEQL_TABLES: Readonly<Record<string, SuiteQlTable>> = {
  customer: table(
    ['id', 'entityid', 'companyname', 'firstname', 'lastname', 'isperson', 'email', 'phone', 'subsidiary', 'currency', 'isinactive', 'comments', 'externalid', 'datecreated', 'lastmodifieddate', 'balance'],
    (store) =>
      recordsOf(store, 'customer').map((r) => ({
        id: r.id, entityid: text(r.fields['entityId']), companyname: text(r.fields['companyName']), firstname: text(r.fields['firstName']),
        lastname: text(r.fields['lastName']), isperson: flag(r.fields['isPerson']), email: text(r.fields['email']), phone: text(r.fields['phone']),
        subsidiary: text(r.fields['subsidiary']), currency: text(r.fields['currency']), isinactive: flag(r.fields['isInactive']),
        comments: text(r.fields['comments']), externalid: text(r.fields['externalId']), datecreated: time(r.fields['dateCreated']),
        lastmodifieddate: time(r.fields['lastModifiedDate']), balance: num(r.fields['balance']),
      })),
  ),
  transaction: table(
    ['id', 'tranid', 'type', 'entity', 'trandate', 'status', 'currency', 'subsidiary', 'foreigntotal', 'foreignamountremaining', 'memo', 'otherrefnum', 'externalid', 'createdfrom', 'duedate', 'startdate', 'enddate', 'createddate', 'lastmodifieddate'],
    (store) =>
      recordsOf(store, 'transaction').map((r) => ({
        id: r.id, tranid: text(r.fields['tranId']), type: codeOf(r.type), entity: text(r.fields['entity'] ?? r.fields['customer']),
        trandate: time(r.fields['tranDate']), status: STATUS_LETTER[String(r.fields['status'])] ?? null, currency: text(r.fields['currency']),
        subsidiary: text(r.fields['subsidiary']), foreigntotal: num(r.fields['total']), foreignamountremaining: num(r.fields['amountRemaining']),
        memo: text(r.fields['memo']), otherrefnum: text(r.fields['otherRefNum']), externalid: text(r.fields['externalId']),
        createdfrom: text(r.fields['createdFrom']), duedate: time(r.fields['dueDate']), startdate: time(r.fields['startDate']),
        enddate: time(r.fields['endDate']), createddate: time(r.fields['dateCreated']), lastmodifieddate: time(r.fields['lastModifiedDate']),
      })),
  ),
  transactionline: table(
    ['id', 'transaction', 'linesequencenumber', 'mainline', 'item', 'quantity', 'rate', 'netamount', 'foreignamount', 'memo'],
    (store) =>
      recordsOf(store, 'transaction').flatMap((r) => [
        { id: '0', transaction: r.id, linesequencenumber: 0, mainline: 'T', item: null, quantity: null, rate: null, netamount: num(r.fields['total']), foreignamount: num(r.fields['total']), memo: text(r.fields['memo']) },
        ...(r.sublists['item'] ?? []).map((l) => ({
          id: String(l['line']), transaction: r.id, linesequencenumber: num(l['line']), mainline: 'F', item: text(l['item']),
          quantity: num(l['quantity']), rate: num(l['rate']), netamount: num(l['amount']), foreignamount: num(l['amount']), memo: text(l['description']),
        })),
      ]),
  ),
  item: table(
    ['id', 'itemid', 'displayname', 'description', 'salesdescription', 'itemtype', 'baseprice', 'isinactive', 'externalid', 'subsidiary', 'createddate', 'lastmodifieddate'],
    (store) =>
      recordsOf(store, 'item').map((r) => ({
        id: r.id, itemid: text(r.fields['itemId']), displayname: text(r.fields['displayName']), description: text(r.fields['description']),
        salesdescription: text(r.fields['salesDescription']), itemtype: codeOf(r.type), baseprice: num(r.fields['basePrice']),
        isinactive: flag(r.fields['isInactive']), externalid: text(r.fields['externalId']), subsidiary: text(r.fields['subsidiary']),
        createddate: time(r.fields['dateCreated']), lastmodifieddate: time(r.fields['lastModifiedDate']),
      })),
  ),
  subsidiary: table(['id', 'name', 'legalname', 'country', 'currency', 'isinactive', 'externalid'], (store) =>
    recordsOf(store, 'subsidiary').map((r) => ({
      id: r.id, name: text(r.fields['name']), legalname: text(r.fields['legalName']), country: text(r.fields['country']),
      currency: text(r.fields['currency']), isinactive: flag(r.fields['isInactive']), externalid: text(r.fields['externalId']),
    })),
  ),
  currency: table(['id', 'name', 'symbol', 'exchangerate', 'isbasecurrency', 'isinactive', 'externalid'], (store) =>
    recordsOf(store, 'currency').map((r) => ({
      id: r.id, name: text(r.fields['name']), symbol: text(r.fields['symbol']), exchangerate: num(r.fields['exchangeRate']),
      isbasecurrency: flag(r.fields['isBaseCurrency']), isinactive: flag(r.fields['isInactive']), externalid: text(r.fields['externalId']),
    })),
  ),
};

/** Record types a reference column points at, for `BUILTIN.DF`. */
const REFERENCES: Readonly<Record<string, readonly string[]>> = {
  entity: ['customer'],
  subsidiary: ['subsidiary'],
  currency: ['currency'],
  item: ['inventoryItem', 'nonInventorySaleItem', 'serviceSaleItem'],
  createdfrom: ['salesOrder'],
  transaction: ['salesOrder', 'invoice', 'customerPayment'],
};

/** Display name of a value of `column` (for `BUILTIN.DF`): a reference's name, else the value itself. */
export function displayName(store: NsStore, column: string, value: Cell): Cell {
  const types = REFERENCES[column];
  if (!types || typeof value !== 'string') return value;
  for (const type of NS_RECORD_TYPES) {
    if (!types.includes(type.name)) continue;
    const r = store.get(type, value);
    if (r) return refName(r) ?? null;
  }
  return null;
}
