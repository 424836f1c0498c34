/**
 * Safe pieces for building SOQL in actions: ids and strings quoted so that a value can never
 * change the shape of a query.
 */
import { InterlockError } from '../../../core/errors.ts';

/** Checks a 15- or 18-character record id; anything else is refused before it reaches a query. */
export function recordId(value: string, what = 'record id'): string {
  if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(value)) {
    throw new InterlockError('validation', `${what} ${JSON.stringify(value)} is not a Salesforce id (15 or 18 letters and digits)`);
  }
  return value;
}

/** A SOQL string literal, with quotes and backslashes escaped. */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
