/**
 * Turns a JSON body from a create or update into field values Salesforce would store: canonical
 * field names (the API is case-insensitive), writability, value types and reference ids — each
 * failure reported with Salesforce's own error code.
 */
import { SalesforceError, noSuchColumn } from './errors.ts';
import { normalizeId } from './ids.ts';
import { findField, typeOfId } from './schema.ts';
import type { SObjectType, SfField } from './schema.ts';

/** Field values keyed by canonical API name. */
export type FieldValues = Record<string, unknown>;

/** Keys of a request body that are envelope, not fields. */
const ENVELOPE = new Set(['attributes']);

/**
 * Validates and canonicalises a create/update body.
 * @param mode `create` also allows nothing read-only; `update` additionally ignores `Id` when it matches.
 */
export function coerceBody(type: SObjectType, body: unknown, mode: 'create' | 'update'): FieldValues {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SalesforceError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object of field values.');
  }
  const out: FieldValues = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (ENVELOPE.has(key)) continue;
    const field = findField(type, key);
    if (!field) throw noSuchColumn(key, type.name);
    if (field.name === 'Id' && mode === 'update') continue;
    if (field.readOnly) {
      throw new SalesforceError(
        400,
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${field.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        [field.name],
      );
    }
    out[field.name] = coerceValue(type, field, value);
  }
  return out;
}

/** Checks a value against its field type; numbers in strings are accepted, as Salesforce does. */
export function coerceValue(type: SObjectType, field: SfField, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const bad = (expected: string): SalesforceError =>
    new SalesforceError(
      400,
      'JSON_PARSER_ERROR',
      `Cannot deserialize instance of ${expected} from ${typeof value} value ${JSON.stringify(value)} at [field ${field.name}]`,
      [field.name],
    );
  switch (field.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw bad('boolean');
    case 'double':
    case 'currency':
    case 'percent':
    case 'int': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n)) throw bad(field.type === 'int' ? 'int' : 'double');
      return field.type === 'int' ? Math.trunc(n) : n;
    }
    case 'date':
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))) return value;
      throw new SalesforceError(400, 'JSON_PARSER_ERROR', `Cannot deserialize value of type date from String "${String(value)}": expected format yyyy-MM-dd`, [field.name]);
    case 'datetime':
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return toSfDateTime(new Date(value));
      throw new SalesforceError(400, 'JSON_PARSER_ERROR', `Cannot deserialize value of type datetime from String "${String(value)}"`, [field.name]);
    case 'reference': {
      const id = typeof value === 'string' ? normalizeId(value) : undefined;
      const target = id ? typeOfId(id) : undefined;
      if (!id || !target || target.name !== field.referenceTo) {
        throw new SalesforceError(400, 'MALFORMED_ID', `${field.relationshipName ?? type.name} ID: id value of incorrect type: ${String(value)}`, [field.name]);
      }
      return id;
    }
    default: {
      if (typeof value === 'object') throw bad('String');
      const text = String(value);
      const max = field.type === 'textarea' ? 32_768 : 255;
      if (text.length > max) {
        throw new SalesforceError(400, 'STRING_TOO_LONG', `${field.name}: data value too large: ${text.slice(0, 40)}... (max length=${max})`, [field.name]);
      }
      return text;
    }
  }
}

/** Formats a date the way Salesforce prints datetimes: `2024-06-01T12:00:00.000+0000`. */
export function toSfDateTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

/** Names of required fields missing from a record about to be created. */
export function missingRequired(type: SObjectType, values: FieldValues): string[] {
  return type.fields.filter((f) => f.required && (values[f.name] === undefined || values[f.name] === null || values[f.name] === '')).map((f) => f.name);
}
