/**
 * Safe pieces of Web API URLs: a GUID key checked as a GUID, and string literals quoted with
 * single quotes doubled, so a value from a record can never change the query's meaning.
 */
import { InterlockError } from '../../../core/errors.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A row id, checked; a bad one is a `validation` error naming `what`. */
export function guid(value: string, what: string): string {
  if (!GUID.test(value)) throw new InterlockError('validation', `${what} must be a GUID, got ${JSON.stringify(value)}`, { details: { vendor: 'dynamics' } });
  return value.toLowerCase();
}

/** An OData string literal: `'O''Brien'`. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** An alternate-key segment: `accountnumber='A-1'` (one or more columns). */
export function alternateKey(values: Readonly<Record<string, string>>): string {
  const parts = Object.entries(values).map(([column, v]) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(column)) throw new InterlockError('validation', `${JSON.stringify(column)} is not a Dataverse column name`);
    if (v === '') throw new InterlockError('validation', `alternate key ${column} must not be empty`);
    return `${column}=${encodeURIComponent(literal(v))}`;
  });
  if (parts.length === 0) throw new InterlockError('validation', 'an alternate key needs at least one column');
  return parts.join(',');
}
