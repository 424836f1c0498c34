/**
 * Record operations as Salesforce performs them: validate, check references, fill derived fields
 * (IsWon from the stage, line totals, product names) and roll line totals up to their parent.
 * Every route (sObject, collections, upsert) writes through these three functions.
 */
import { SalesforceError } from './errors.ts';
import { findType } from './schema.ts';
import type { SObjectType } from './schema.ts';
import type { RecordStore, StoredRecord, Transaction } from './store.ts';
import { coerceBody, missingRequired } from './validate.ts';
import type { FieldValues } from './validate.ts';

const CLOSED_STAGES: Readonly<Record<string, { won: boolean; probability: number; forecast: string }>> = {
  'closed won': { won: true, probability: 100, forecast: 'Closed' },
  'closed lost': { won: false, probability: 0, forecast: 'Omitted' },
};

/** Creates a record from a request body. */
export function createRecord(store: RecordStore, tx: Transaction, type: SObjectType, body: unknown): StoredRecord {
  const values = coerceBody(type, body, 'create');
  derive(store, type, values, undefined);
  const missing = missingRequired(type, values);
  if (missing.length > 0) {
    throw new SalesforceError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
  }
  checkReferences(store, type, values);
  const record = store.insert(tx, type, values);
  rollUp(store, tx, record);
  return record;
}

/** Updates a record from a request body. */
export function updateRecord(store: RecordStore, tx: Transaction, record: StoredRecord, body: unknown): void {
  const type = typeOf(record);
  if (record.deleted) throw new SalesforceError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
  const values = coerceBody(type, body, 'update');
  derive(store, type, values, record);
  for (const f of type.fields) {
    if (f.required && f.name in values && (values[f.name] === null || values[f.name] === '')) {
      throw new SalesforceError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${f.name}]`, [f.name]);
    }
  }
  checkReferences(store, type, values);
  if (store.update(tx, record, values).length > 0) rollUp(store, tx, record);
}

/** Deletes a record, and (as a master-detail cascade) its opportunity or order lines. */
export function deleteRecord(store: RecordStore, tx: Transaction, record: StoredRecord): void {
  if (record.deleted) throw new SalesforceError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
  store.remove(tx, record);
  const children = record.type === 'Opportunity' ? ['OpportunityLineItem', 'OpportunityId'] : record.type === 'Order' ? ['OrderItem', 'OrderId'] : undefined;
  if (children) {
    for (const child of store.findBy(children[0] as string, children[1] as string, record.id)) store.remove(tx, child);
  }
  rollUp(store, tx, record);
}

function typeOf(record: StoredRecord): SObjectType {
  const type = findType(record.type);
  if (!type) throw new SalesforceError(500, 'UNKNOWN_EXCEPTION', `Unknown type ${record.type}`);
  return type;
}

function checkReferences(store: RecordStore, type: SObjectType, values: FieldValues): void {
  for (const f of type.fields) {
    const v = values[f.name];
    if (f.type !== 'reference' || typeof v !== 'string' || f.referenceTo === 'User') continue;
    const target = store.get(v);
    if (!target || target.deleted) {
      throw new SalesforceError(400, 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY', `insufficient access rights on cross-reference id: ${v}`, [f.name]);
    }
  }
}

/** Fills the fields Salesforce derives; `current` is the record being updated, if any. */
function derive(store: RecordStore, type: SObjectType, values: FieldValues, current: StoredRecord | undefined): void {
  const merged = { ...current?.fields, ...values };
  switch (type.name) {
    case 'Opportunity': {
      if (!('StageName' in values)) return;
      const closed = CLOSED_STAGES[String(values['StageName']).toLowerCase()];
      values['IsClosed'] = closed !== undefined;
      values['IsWon'] = closed?.won ?? false;
      if (!('Probability' in values)) values['Probability'] = closed?.probability ?? (current?.fields['Probability'] ?? 10);
      if (!('ForecastCategoryName' in values)) values['ForecastCategoryName'] = closed?.forecast ?? 'Pipeline';
      if (!current) values['HasOpportunityLineItem'] = false;
      return;
    }
    case 'Contact':
      values['Name'] = [merged['FirstName'], merged['LastName']].filter((p) => p).join(' ');
      return;
    case 'Pricebook2':
      if (!current) values['IsStandard'] = false;
      return;
    case 'PricebookEntry': {
      const product = store.get(String(merged['Product2Id']));
      values['Name'] = product?.fields['Name'] ?? null;
      values['ProductCode'] = product?.fields['ProductCode'] ?? null;
      return;
    }
    case 'Order':
      if (!current) {
        values['OrderNumber'] = String(100 + store.list('Order', true).length).padStart(8, '0');
        values['TotalAmount'] = 0;
      }
      return;
    case 'OpportunityLineItem':
    case 'OrderItem':
      deriveLine(store, type, values, current);
      return;
  }
}

function deriveLine(store: RecordStore, type: SObjectType, values: FieldValues, current: StoredRecord | undefined): void {
  const isOli = type.name === 'OpportunityLineItem';
  if (!current) {
    if (isOli && values['UnitPrice'] != null && values['TotalPrice'] != null) {
      throw new SalesforceError(400, 'FIELD_INTEGRITY_EXCEPTION', 'You can\u2019t provide both Unit Price and Total Price for a line item.', ['TotalPrice']);
    }
    let entry = values['PricebookEntryId'] ? store.get(String(values['PricebookEntryId'])) : undefined;
    if (!entry && values['Product2Id']) {
      entry = store.findBy('PricebookEntry', 'Product2Id', String(values['Product2Id'])).find((e) => store.get(String(e.fields['Pricebook2Id']))?.fields['IsStandard'] === true);
      if (!entry) throw new SalesforceError(400, 'FIELD_INTEGRITY_EXCEPTION', 'field integrity exception: PricebookEntryId (pricebook entry has been archived)', ['PricebookEntryId']);
      values['PricebookEntryId'] = entry.id;
    }
    if (!entry) throw new SalesforceError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [PricebookEntryId]', ['PricebookEntryId']);
    values['Product2Id'] = entry.fields['Product2Id'];
    values['ListPrice'] = entry.fields['UnitPrice'];
    if (isOli) {
      const product = store.get(String(entry.fields['Product2Id']));
      values['ProductCode'] = product?.fields['ProductCode'] ?? null;
      const opp = store.get(String(values['OpportunityId']));
      values['Name'] = `${String(opp?.fields['Name'] ?? '')} ${String(product?.fields['Name'] ?? '')}`.trim();
    }
  }
  const merged = { ...current?.fields, ...values };
  const quantity = Number(merged['Quantity'] ?? 0);
  if (isOli && values['TotalPrice'] != null && values['UnitPrice'] == null && quantity !== 0) {
    values['UnitPrice'] = Number(values['TotalPrice']) / quantity;
  }
  const unit = Number(values['UnitPrice'] ?? merged['UnitPrice'] ?? merged['ListPrice'] ?? 0);
  if (values['UnitPrice'] == null && !current) values['UnitPrice'] = unit;
  const discount = isOli ? Number(merged['Discount'] ?? 0) : 0;
  values['TotalPrice'] = round2(quantity * unit * (1 - discount / 100));
  if (isOli) values['Subtotal'] = round2(quantity * unit);
}

/** Keeps Opportunity.Amount / HasOpportunityLineItem and Order.TotalAmount equal to their lines. */
function rollUp(store: RecordStore, tx: Transaction, record: StoredRecord): void {
  const parentField = record.type === 'OpportunityLineItem' ? 'OpportunityId' : record.type === 'OrderItem' ? 'OrderId' : undefined;
  if (!parentField) return;
  const parent = store.get(String(record.fields[parentField]));
  if (!parent || parent.deleted) return;
  const lines = store.findBy(record.type, parentField, parent.id);
  const total = round2(lines.reduce((sum, l) => sum + Number(l.fields['TotalPrice'] ?? 0), 0));
  if (parent.type === 'Opportunity') {
    store.update(tx, parent, { Amount: lines.length > 0 ? total : parent.fields['Amount'], HasOpportunityLineItem: lines.length > 0 });
  } else {
    store.update(tx, parent, { TotalAmount: total });
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
