/**
 * Upsert by external id, shared by `PATCH /sobjects/{Type}/{Field}/{value}` and the collections
 * upsert: no match creates, one match updates, several matches are refused.
 */
import { SalesforceError, notFound } from './errors.ts';
import { createRecord, updateRecord } from './records.ts';
import { findField } from './schema.ts';
import type { SObjectType, SfField } from './schema.ts';
import type { RecordStore, StoredRecord, Transaction } from './store.ts';

/** The outcome of an upsert. */
export type UpsertOutcome =
  | { readonly kind: 'created' | 'updated'; readonly record: StoredRecord }
  | { readonly kind: 'multiple'; readonly matches: readonly StoredRecord[] };

/** The external id field of a path, or `404 NOT_FOUND` when the field is not one. */
export function externalIdField(type: SObjectType, name: string): SfField {
  const field = findField(type, name);
  if (!field || !(field.externalId || field.name === 'Id')) throw notFound();
  return field;
}

/** Upserts `body` on the record whose `field` equals `value`. */
export function upsertRecord(
  store: RecordStore,
  tx: Transaction,
  type: SObjectType,
  field: SfField,
  value: string,
  body: unknown,
  updateOnly: boolean,
): UpsertOutcome {
  const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...(body as Record<string, unknown>) } : body;
  if (fields !== null && typeof fields === 'object' && !Array.isArray(fields)) {
    // The body may repeat the external id; it must then agree with the path.
    for (const key of Object.keys(fields)) {
      if (key.toLowerCase() !== field.name.toLowerCase()) continue;
      const v = (fields as Record<string, unknown>)[key];
      if (v !== null && String(v).toLowerCase() !== value.toLowerCase()) {
        throw new SalesforceError(400, 'INVALID_FIELD', `The value of the external id field ${field.name} in the body does not match the URL`, [field.name]);
      }
      delete (fields as Record<string, unknown>)[key];
    }
  }
  const matches = field.name === 'Id' ? [store.get(value)].filter((r): r is StoredRecord => r !== undefined && !r.deleted) : store.findBy(type.name, field.name, value);
  if (matches.length > 1) return { kind: 'multiple', matches };
  const match = matches[0];
  if (match) {
    updateRecord(store, tx, match, fields);
    return { kind: 'updated', record: match };
  }
  if (updateOnly || field.name === 'Id') throw notFound();
  const record = createRecord(store, tx, type, { ...(fields as Record<string, unknown>), [field.name]: value });
  return { kind: 'created', record };
}
