/**
 * The NetSuite record types the sandbox serves through the REST record API, as data: field names
 * (camelCase, as REST uses; matched case-insensitively, as NetSuite accepts), kinds, references,
 * the `item`/`apply` sublists, and the SuiteQL table and transaction type code of each.
 */

/** Kind of a body field. */
export type NsFieldKind = 'text' | 'number' | 'boolean' | 'date' | 'datetime' | 'ref';

/** One body or sublist field. */
export interface NsField {
  /** REST name, e.g. `companyName`. */
  readonly name: string;
  /** Value kind. */
  readonly kind: NsFieldKind;
  /** Must be given on create. */
  readonly required?: boolean;
  /** Maintained by NetSuite (totals, dates, status). */
  readonly readOnly?: boolean;
  /** For references: the record types it may point at. */
  readonly refTypes?: readonly string[];
}

/** A sublist (`item` on sales orders and invoices, `apply` on payments). */
export interface NsSublist {
  /** Name in the body, e.g. `item`. */
  readonly name: string;
  /** Fields of a line. */
  readonly fields: readonly NsField[];
}

/** A record type of the REST record API. */
export interface NsRecordType {
  /** REST name, e.g. `salesOrder`. */
  readonly name: string;
  /** Id space shared with other types (all items share one, all transactions another). */
  readonly idSpace: 'entity' | 'item' | 'transaction' | 'subsidiary' | 'currency';
  /** Body fields. */
  readonly fields: readonly NsField[];
  /** Sublists. */
  readonly sublists: readonly NsSublist[];
  /** SuiteQL table holding it. */
  readonly table: string;
  /** The SuiteQL `type`/`itemtype` code (`SalesOrd`, `CustInvc`, `InvtPart`…). */
  readonly code?: string;
  /** Prefix of the generated `tranId`, for transactions. */
  readonly tranPrefix?: string;
}

const ITEM_TYPES = ['inventoryItem', 'nonInventorySaleItem', 'serviceSaleItem'];

const common: readonly NsField[] = [
  { name: 'id', kind: 'text', readOnly: true },
  { name: 'externalId', kind: 'text' },
  { name: 'dateCreated', kind: 'datetime', readOnly: true },
  { name: 'lastModifiedDate', kind: 'datetime', readOnly: true },
];

const transaction: readonly NsField[] = [
  ...common,
  { name: 'tranId', kind: 'text' },
  { name: 'tranDate', kind: 'date' },
  { name: 'subsidiary', kind: 'ref', refTypes: ['subsidiary'] },
  { name: 'currency', kind: 'ref', refTypes: ['currency'] },
  { name: 'memo', kind: 'text' },
  { name: 'status', kind: 'text', readOnly: true },
  { name: 'total', kind: 'number', readOnly: true },
];

const itemLines: NsSublist = {
  name: 'item',
  fields: [
    { name: 'line', kind: 'number', readOnly: true },
    { name: 'item', kind: 'ref', required: true, refTypes: ITEM_TYPES },
    { name: 'quantity', kind: 'number', required: true },
    { name: 'rate', kind: 'number' },
    { name: 'amount', kind: 'number' },
    { name: 'description', kind: 'text' },
    // Closing the lines is how an order that will not be fulfilled is closed in NetSuite.
    { name: 'isClosed', kind: 'boolean' },
  ],
};

function item(name: string, code: string): NsRecordType {
  return {
    name,
    idSpace: 'item',
    table: 'item',
    code,
    fields: [
      ...common,
      { name: 'itemId', kind: 'text', required: true },
      { name: 'displayName', kind: 'text' },
      { name: 'description', kind: 'text' },
      { name: 'salesDescription', kind: 'text' },
      { name: 'basePrice', kind: 'number' },
      { name: 'isInactive', kind: 'boolean' },
      { name: 'subsidiary', kind: 'ref', refTypes: ['subsidiary'] },
    ],
    sublists: [],
  };
}

const types: readonly NsRecordType[] = [
  {
    name: 'customer',
    idSpace: 'entity',
    table: 'customer',
    fields: [
      ...common,
      { name: 'entityId', kind: 'text' },
      { name: 'companyName', kind: 'text' },
      { name: 'isPerson', kind: 'boolean' },
      { name: 'firstName', kind: 'text' },
      { name: 'lastName', kind: 'text' },
      { name: 'email', kind: 'text' },
      { name: 'phone', kind: 'text' },
      { name: 'subsidiary', kind: 'ref', required: true, refTypes: ['subsidiary'] },
      { name: 'currency', kind: 'ref', refTypes: ['currency'] },
      { name: 'isInactive', kind: 'boolean' },
      { name: 'comments', kind: 'text' },
      { name: 'defaultAddress', kind: 'text' },
      { name: 'balance', kind: 'number', readOnly: true },
      // Credit (the Financial subtab): a limit set on the customer; what it owes kept by the sandbox (credit.ts).
      { name: 'creditLimit', kind: 'number' },
      { name: 'overdueBalance', kind: 'number', readOnly: true },
      { name: 'unbilledOrders', kind: 'number', readOnly: true },
    ],
    sublists: [],
  },
  {
    name: 'salesOrder',
    idSpace: 'transaction',
    table: 'transaction',
    code: 'SalesOrd',
    tranPrefix: 'SO',
    fields: [
      ...transaction,
      { name: 'entity', kind: 'ref', required: true, refTypes: ['customer'] },
      { name: 'otherRefNum', kind: 'text' },
      { name: 'startDate', kind: 'date' },
      { name: 'endDate', kind: 'date' },
      { name: 'subtotal', kind: 'number', readOnly: true },
    ],
    sublists: [itemLines],
  },
  {
    name: 'invoice',
    idSpace: 'transaction',
    table: 'transaction',
    code: 'CustInvc',
    tranPrefix: 'INV',
    fields: [
      ...transaction,
      { name: 'entity', kind: 'ref', required: true, refTypes: ['customer'] },
      { name: 'createdFrom', kind: 'ref', refTypes: ['salesOrder'] },
      { name: 'otherRefNum', kind: 'text' },
      { name: 'dueDate', kind: 'date' },
      { name: 'subtotal', kind: 'number', readOnly: true },
      { name: 'amountRemaining', kind: 'number', readOnly: true },
    ],
    sublists: [itemLines],
  },
  {
    name: 'customerPayment',
    idSpace: 'transaction',
    table: 'transaction',
    code: 'CustPymt',
    tranPrefix: 'PYMT',
    fields: [
      ...transaction,
      { name: 'customer', kind: 'ref', required: true, refTypes: ['customer'] },
      { name: 'payment', kind: 'number', required: true },
      { name: 'unapplied', kind: 'number', readOnly: true },
    ],
    sublists: [
      {
        name: 'apply',
        fields: [
          { name: 'line', kind: 'number', readOnly: true },
          { name: 'doc', kind: 'ref', required: true, refTypes: ['invoice'] },
          { name: 'apply', kind: 'boolean' },
          { name: 'amount', kind: 'number' },
        ],
      },
    ],
  },
  item('inventoryItem', 'InvtPart'),
  item('nonInventorySaleItem', 'NonInvtPart'),
  item('serviceSaleItem', 'Service'),
  {
    name: 'subsidiary',
    idSpace: 'subsidiary',
    table: 'subsidiary',
    fields: [
      ...common,
      { name: 'name', kind: 'text', required: true },
      { name: 'legalName', kind: 'text' },
      { name: 'country', kind: 'text' },
      { name: 'currency', kind: 'ref', refTypes: ['currency'] },
      { name: 'isInactive', kind: 'boolean' },
    ],
    sublists: [],
  },
  {
    name: 'currency',
    idSpace: 'currency',
    table: 'currency',
    fields: [
      ...common,
      { name: 'name', kind: 'text', required: true },
      { name: 'symbol', kind: 'text', required: true },
      { name: 'exchangeRate', kind: 'number' },
      { name: 'isBaseCurrency', kind: 'boolean' },
      { name: 'isInactive', kind: 'boolean' },
    ],
    sublists: [],
  },
];

const byName = new Map(types.map((t) => [t.name.toLowerCase(), t]));

/** Every record type. */
export const NS_RECORD_TYPES: readonly NsRecordType[] = types;

/** A record type by REST name, ignoring case (`salesorder` finds `salesOrder`). */
export function findRecordType(name: string): NsRecordType | undefined {
  return byName.get(name.toLowerCase());
}

// Lookups by lower-cased name, built once per field list or type: every key of every request
// body is looked up, and lower-casing each candidate on each lookup was most of a create's work.
const fieldIndexes = new WeakMap<readonly NsField[], ReadonlyMap<string, NsField>>();
const sublistIndexes = new WeakMap<NsRecordType, ReadonlyMap<string, NsSublist>>();
const refTargetLists = new WeakMap<readonly string[], readonly NsRecordType[]>();

function indexByName<T extends { readonly name: string }>(items: readonly T[]): ReadonlyMap<string, T> {
  const index = new Map<string, T>();
  // The first of two names equal but for case wins, as a linear search would find it.
  for (const item of items) if (!index.has(item.name.toLowerCase())) index.set(item.name.toLowerCase(), item);
  return index;
}

/** A field by name, ignoring case. */
export function findNsField(fields: readonly NsField[], name: string): NsField | undefined {
  let index = fieldIndexes.get(fields);
  if (index === undefined) {
    index = indexByName(fields);
    fieldIndexes.set(fields, index);
  }
  return index.get(name.toLowerCase());
}

/** A sublist of a type by name, ignoring case. */
export function findNsSublist(type: NsRecordType, name: string): NsSublist | undefined {
  let index = sublistIndexes.get(type);
  if (index === undefined) {
    index = indexByName(type.sublists);
    sublistIndexes.set(type, index);
  }
  return index.get(name.toLowerCase());
}

/** The record types a reference field may point at (its known `refTypes`). */
export function refTargets(refTypes: readonly string[]): readonly NsRecordType[] {
  let targets = refTargetLists.get(refTypes);
  if (targets === undefined) {
    targets = refTypes.map((t) => findRecordType(t)).filter((t): t is NsRecordType => t !== undefined);
    refTargetLists.set(refTypes, targets);
  }
  return targets;
}

/** Whether a name is a custom field (`custentity…`, `custbody…`, `custitem…`, `custcol…`), accepted as free text. */
export function isCustomField(name: string): boolean {
  return /^cust(entity|body|item|col|record)\w*$/i.test(name);
}
