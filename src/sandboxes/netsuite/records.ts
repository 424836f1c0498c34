/**
 * Record operations as NetSuite performs them: validate the body, resolve references, default
 * what NetSuite defaults (entity id, document number, dates, subsidiary and currency from the
 * customer, line rates from the item), compute line amounts and totals, and apply payments to
 * invoices. Every route writes through {@link createRecord} and {@link updateRecord}.
 */
import { coerceField } from './coerce.ts';
import { affectsCredit, customerOf, refreshCustomerCredit } from './credit.ts';
import { NetSuiteError } from './errors.ts';
import { findNsField, findNsSublist, findRecordType, isCustomField, refTargets } from './schema.ts';
import type { NsField, NsRecordType, NsSublist } from './schema.ts';
import type { NsRecord, NsStore } from './store.ts';

type Values = Record<string, unknown>;

/** Creates a record from a request body. */
export function createRecord(store: NsStore, type: NsRecordType, body: unknown, externalId?: string): NsRecord {
  const { fields, sublists } = parseBody(store, type, body);
  if (externalId !== undefined) fields['externalId'] = externalId;
  if (typeof fields['externalId'] === 'string' && store.byExternalId(type, fields['externalId'])) {
    throw new NetSuiteError(400, 'USER_ERROR', `Error while accessing a resource. A record with external ID ${fields['externalId']} already exists.`, { path: 'externalId' });
  }
  const id = store.nextId(type);
  const now = new Date().toISOString();
  const record: NsRecord = { type: type.name, id, fields: { ...fields, id, dateCreated: now, lastModifiedDate: now }, sublists: {} };
  for (const [name, lines] of Object.entries(sublists)) record.sublists[name] = number(lines);
  applyDefaults(store, type, record);
  checkRequired(type, record);
  derive(store, type, record);
  store.put(type, record);
  if (affectsCredit(type)) refreshCustomerCredit(store, customerOf(record));
  return record;
}

/** Updates a record; sublists named in `replace` are replaced whole, others merged by `line`. */
export function updateRecord(store: NsStore, type: NsRecordType, current: NsRecord, body: unknown, replace: readonly string[]): NsRecord {
  const { fields, sublists } = parseBody(store, type, body);
  const next: NsRecord = {
    type: current.type,
    id: current.id,
    fields: { ...current.fields, ...fields, lastModifiedDate: new Date().toISOString() },
    sublists: { ...current.sublists },
  };
  for (const name of replace) if (!(name in sublists) && type.sublists.some((s) => s.name === name)) next.sublists[name] = [];
  for (const [name, lines] of Object.entries(sublists)) {
    next.sublists[name] = replace.includes(name) ? number(lines) : merge(next.sublists[name] ?? [], lines, name);
  }
  if (typeof fields['entityId'] === 'string') checkUniqueEntityId(store, type, next);
  checkRequired(type, next);
  derive(store, type, next);
  store.put(type, next);
  if (affectsCredit(type)) {
    refreshCustomerCredit(store, customerOf(next));
    if (customerOf(current) !== customerOf(next)) refreshCustomerCredit(store, customerOf(current));
  }
  return next;
}

function parseBody(store: NsStore, type: NsRecordType, body: unknown): { fields: Values; sublists: Record<string, Values[]> } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new NetSuiteError(400, 'INVALID_CONTENT', 'Error while accessing a resource. The request body must be a JSON object.');
  }
  const fields: Values = {};
  const sublists: Record<string, Values[]> = {};
  for (const [key, value] of Object.entries(body as Values)) {
    if (key === 'links') continue;
    const sublist = findNsSublist(type, key);
    if (sublist) {
      sublists[sublist.name] = parseLines(store, sublist, value);
      continue;
    }
    const field = findNsField(type.fields, key);
    if (!field) {
      if (isCustomField(key)) {
        fields[key.toLowerCase()] = value;
        continue;
      }
      throw new NetSuiteError(400, 'INVALID_CONTENT', `Error while accessing a resource. The field ${key} does not exist on record type ${type.name}.`, { path: key });
    }
    if (field.readOnly) {
      if (field.name === 'id') continue;
      throw new NetSuiteError(400, 'USER_ERROR', `Error while accessing a resource. The field ${field.name} is read-only.`, { path: field.name });
    }
    fields[field.name] = coerceField(store, field, value, field.name);
  }
  return { fields, sublists };
}

function parseLines(store: NsStore, sublist: NsSublist, value: unknown): Values[] {
  const items = value !== null && typeof value === 'object' ? (value as Values)['items'] : undefined;
  if (!Array.isArray(items)) {
    throw new NetSuiteError(400, 'INVALID_CONTENT', `Error while accessing a resource. The sublist ${sublist.name} must be given as {"items": [...]}.`, { path: sublist.name });
  }
  return items.map((line: unknown, i) => {
    if (line === null || typeof line !== 'object' || Array.isArray(line)) {
      throw new NetSuiteError(400, 'INVALID_CONTENT', 'Error while accessing a resource. A sublist line must be a JSON object.', { path: `${sublist.name}.items[${i}]` });
    }
    const out: Values = {};
    for (const [key, v] of Object.entries(line as Values)) {
      if (key === 'links') continue;
      const field = findNsField(sublist.fields, key);
      if (!field) {
        if (isCustomField(key)) {
          out[key.toLowerCase()] = v;
          continue;
        }
        throw new NetSuiteError(400, 'INVALID_CONTENT', `Error while accessing a resource. The field ${key} does not exist on sublist ${sublist.name}.`, { path: `${sublist.name}.items[${i}].${key}` });
      }
      out[field.name] = field.name === 'line' ? Number(v) : coerceField(store, field, v, `${sublist.name}.items[${i}].${field.name}`);
    }
    return out;
  });
}

function number(lines: Values[]): Values[] {
  return lines.map((l, i) => ({ ...l, line: i + 1 }));
}

function merge(existing: Values[], lines: Values[], name: string): Values[] {
  const out = existing.map((l) => ({ ...l }));
  let next = out.reduce((m, l) => Math.max(m, Number(l['line'] ?? 0)), 0);
  for (const [i, line] of lines.entries()) {
    if (line['line'] !== undefined) {
      const target = out.find((l) => l['line'] === line['line']);
      if (!target) throw new NetSuiteError(400, 'INVALID_CONTENT', `Error while accessing a resource. Line ${String(line['line'])} does not exist on sublist ${name}.`, { path: `${name}.items[${i}].line` });
      Object.assign(target, line);
    } else {
      next += 1;
      out.push({ ...line, line: next });
    }
  }
  return out;
}

// Looked up once: every create reads them.
const SUBSIDIARY = findRecordType('subsidiary') as NsRecordType;
const CUSTOMER = findRecordType('customer') as NsRecordType;

function applyDefaults(store: NsStore, type: NsRecordType, record: NsRecord): void {
  const f = record.fields;
  if (type.name === 'customer') {
    f['entityId'] ??= f['isPerson'] === true ? [f['firstName'], f['lastName']].filter((p) => p).join(' ') : f['companyName'];
    checkUniqueEntityId(store, type, record);
    const subsidiary = typeof f['subsidiary'] === 'string' ? store.get(SUBSIDIARY, f['subsidiary']) : undefined;
    f['currency'] ??= subsidiary?.fields['currency'] ?? null;
    f['isInactive'] ??= false;
    f['balance'] = 0;
    f['overdueBalance'] = 0;
    f['unbilledOrders'] = 0;
  }
  if (type.table === 'transaction') {
    f['tranId'] ??= `${type.tranPrefix ?? ''}${store.nextNumber(`tranId:${type.name}`)}`;
    f['tranDate'] ??= new Date().toISOString().slice(0, 10);
    const customerId = f['entity'] ?? f['customer'];
    const customer = typeof customerId === 'string' ? store.get(CUSTOMER, customerId) : undefined;
    f['subsidiary'] ??= customer?.fields['subsidiary'] ?? null;
    f['currency'] ??= customer?.fields['currency'] ?? null;
  }
  if (type.table === 'item') f['isInactive'] ??= false;
}

function checkUniqueEntityId(store: NsStore, type: NsRecordType, record: NsRecord): void {
  const entityId = record.fields['entityId'];
  if (type.name !== 'customer' || typeof entityId !== 'string') return;
  const other = store.findUnique('customer', 'entityId', entityId);
  if (other !== undefined && other !== record.id) {
    throw new NetSuiteError(
      400,
      'UNIQUE_CUST_ID_REQD',
      'Error while accessing a resource. A customer record with this ID already exists. You must enter a unique customer ID for each record you create. To have system assign a unique customer ID, go to Setup > Company > Auto-Generated Numbers and enable customer numbering.',
      { path: 'entityId' },
    );
  }
}

// The required fields of each type, found once rather than filtered from all fields per write.
const requiredFields = new WeakMap<NsRecordType, readonly NsField[]>();

function checkRequired(type: NsRecordType, record: NsRecord): void {
  let required = requiredFields.get(type);
  if (required === undefined) {
    required = type.fields.filter((f) => f.required);
    requiredFields.set(type, required);
  }
  const missing: Array<{ name: string }> = [];
  for (const f of required) {
    const value = record.fields[f.name];
    if (value === null || value === undefined || value === '') missing.push(f);
  }
  if (type.name === 'customer' && record.fields['isPerson'] !== true && !record.fields['companyName']) {
    missing.push({ name: 'companyName' });
  }
  if (missing.length > 0) {
    throw new NetSuiteError(400, 'USER_ERROR', `Error while accessing a resource. Please enter value(s) for: ${missing.map((f) => label(f.name)).join(', ')}.`, { path: missing[0]?.name ?? '' });
  }
  for (const sublist of type.sublists) {
    for (const [i, line] of (record.sublists[sublist.name] ?? []).entries()) {
      const absent = sublist.fields.find((f) => f.required && (line[f.name] === null || line[f.name] === undefined));
      if (absent) {
        throw new NetSuiteError(400, 'USER_ERROR', `Error while accessing a resource. Please enter value(s) for: ${label(absent.name)}.`, { path: `${sublist.name}.items[${i}].${absent.name}` });
      }
    }
  }
  if ((type.name === 'salesOrder' || type.name === 'invoice') && (record.sublists['item'] ?? []).length === 0) {
    throw new NetSuiteError(400, 'USER_ERROR', 'Error while accessing a resource. You must enter at least one line item for this transaction.', { path: 'item' });
  }
}

function label(name: string): string {
  const spaced = name.replace(/([A-Z])/g, ' $1');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

const ITEM_TYPE_NAMES = ['inventoryItem', 'nonInventorySaleItem', 'serviceSaleItem'];

function derive(store: NsStore, type: NsRecordType, record: NsRecord): void {
  if (type.name === 'salesOrder' || type.name === 'invoice') {
    const itemTypes = refTargets(ITEM_TYPE_NAMES);
    let total = 0;
    for (const line of record.sublists['item'] ?? []) {
      const item = store.getAny(itemTypes, String(line['item']));
      line['rate'] ??= item?.fields['basePrice'] ?? 0;
      line['description'] ??= item?.fields['salesDescription'] ?? item?.fields['displayName'] ?? null;
      line['amount'] = round2(Number(line['quantity']) * Number(line['rate']));
      total += Number(line['amount']);
    }
    record.fields['subtotal'] = round2(total);
    record.fields['total'] = round2(total);
    if (type.name === 'salesOrder') record.fields['status'] ??= 'Pending Fulfillment';
    if (type.name === 'invoice') {
      const paid = Number(record.fields['amountPaid'] ?? 0);
      record.fields['amountRemaining'] = round2(total - paid);
      record.fields['status'] = total - paid <= 0 ? 'Paid In Full' : 'Open';
    }
  }
  if (type.name === 'customerPayment') applyPayment(store, record);
}

/** Applies a payment's `apply` lines to invoices (once, on the lines not yet applied). */
function applyPayment(store: NsStore, payment: NsRecord): void {
  const invoiceType = findRecordType('invoice') as NsRecordType;
  let left = Number(payment.fields['payment'] ?? 0);
  for (const line of payment.sublists['apply'] ?? []) {
    if (line['apply'] === false) continue;
    const invoice = store.get(invoiceType, String(line['doc']));
    if (!invoice) continue;
    const alreadyApplied = Number(line['appliedAmount'] ?? 0);
    const remaining = Number(invoice.fields['amountRemaining'] ?? 0);
    const amount = round2(Math.min(Number(line['amount'] ?? Math.min(remaining + alreadyApplied, left)), left));
    line['amount'] = amount;
    line['apply'] = true;
    left = round2(left - amount);
    const delta = round2(amount - alreadyApplied);
    line['appliedAmount'] = amount;
    if (delta !== 0) {
      const paid = round2(Number(invoice.fields['amountPaid'] ?? 0) + delta);
      const total = Number(invoice.fields['total'] ?? 0);
      store.put(invoiceType, {
        ...invoice,
        fields: { ...invoice.fields, amountPaid: paid, amountRemaining: round2(total - paid), status: total - paid <= 0 ? 'Paid In Full' : 'Open', lastModifiedDate: new Date().toISOString() },
      });
    }
  }
  payment.fields['total'] = Number(payment.fields['payment'] ?? 0);
  payment.fields['unapplied'] = left;
  payment.fields['status'] = left > 0 ? 'Not Deposited' : 'Deposited';
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
