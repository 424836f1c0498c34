/**
 * OData v2 values: how each Edm type is stored (dates as `YYYY-MM-DD`, date-times as ISO text,
 * decimals as canonical strings), read from a JSON body (`/Date(ms)/` or ISO text, numbers or
 * strings), rendered in JSON verbose (`/Date(ms)/`, `/Date(ms+0000)/`, decimals as strings), and
 * parsed from URI literals (`'text'`, `datetime'…'`, `datetimeoffset'…'`, numbers, `true`).
 */
import { badRequest } from '../errors.ts';
import type { PropType } from '../schema.ts';

/** A stored value. */
export type Stored = string | boolean | null;

const DATE_WIRE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

/** Reads a body value of property `name` as stored; throws 400 on a value of the wrong type. */
export function fromJson(type: PropType, name: string, value: unknown): Stored {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw badRequest(`Property '${name}' has invalid value '${String(value)}': a string is expected`, name);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw badRequest(`Property '${name}' has invalid value '${String(value)}': a boolean is expected`, name);
      return value;
    case 'decimal': {
      const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
      if (!/^-?\d+(\.\d+)?$/.test(text)) throw badRequest(`Property '${name}' has invalid value '${String(value)}': a decimal is expected`, name);
      return String(Number(text));
    }
    case 'date':
    case 'datetimeoffset': {
      const ms = typeof value === 'string' ? parseDate(value) : undefined;
      if (ms === undefined) throw badRequest(`Property '${name}' has invalid value '${String(value)}': /Date(ms)/ or an ISO date is expected`, name);
      return type === 'date' ? new Date(ms).toISOString().slice(0, 10) : new Date(ms).toISOString();
    }
  }
}

function parseDate(text: string): number | undefined {
  const wire = DATE_WIRE.exec(text);
  if (wire) return Number(wire[1]);
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Renders a stored value in JSON verbose. */
export function toJson(type: PropType, value: Stored | undefined): unknown {
  if (value === null || value === undefined) return type === 'string' ? '' : null;
  if (type === 'date') return `/Date(${Date.parse(`${String(value)}T00:00:00Z`)})/`;
  if (type === 'datetimeoffset') return `/Date(${Date.parse(String(value))}+0000)/`;
  return value;
}

/** A comparable form of a stored value: numbers for decimals and dates. */
export function comparable(type: PropType, value: Stored | undefined): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (type === 'decimal') return Number(value);
  if (type === 'date') return Date.parse(`${String(value)}T00:00:00Z`);
  if (type === 'datetimeoffset') return Date.parse(String(value));
  return value;
}

/** A URI literal as a comparable value. */
export function parseLiteral(text: string): string | number | boolean | null {
  if (text === 'null') return null;
  if (text === 'true' || text === 'false') return text === 'true';
  const typed = /^(datetime|datetimeoffset|guid|time)'(.*)'$/.exec(text);
  if (typed) {
    if (typed[1] === 'guid' || typed[1] === 'time') return typed[2] ?? '';
    const ms = Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(typed[2] ?? '') ? (typed[2] ?? '') : `${typed[2] ?? ''}Z`);
    if (Number.isNaN(ms)) throw badRequest(`Invalid ${typed[1]} literal ${text}`);
    return ms;
  }
  if (text.startsWith("'") && text.endsWith("'") && text.length >= 2) return text.slice(1, -1).replace(/''/g, "'");
  const number = /^(-?\d+(?:\.\d+)?)[mMdDlLfF]?$/.exec(text);
  if (number) return Number(number[1]);
  throw badRequest(`Invalid literal ${text}`);
}

/** Parses a key predicate body (`'1'` or `SalesOrder='1',SalesOrderItem='10'`) into key values. */
export function parseKey(keys: readonly string[], predicate: string): Record<string, string> {
  const parts = splitTopLevel(predicate);
  const values: Record<string, string> = {};
  if (parts.length === 1 && keys.length === 1 && !/^\w+=/.test(parts[0] ?? '')) {
    values[keys[0] as string] = String(parseLiteral((parts[0] ?? '').trim()));
    return values;
  }
  for (const part of parts) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    if (eq < 0 || !keys.includes(name)) throw badRequest(`Invalid key predicate (${predicate})`);
    values[name] = String(parseLiteral(part.slice(eq + 1).trim()));
  }
  if (keys.some((k) => values[k] === undefined)) throw badRequest(`Invalid key predicate (${predicate}): keys ${keys.join(', ')} are required`);
  return values;
}

/** The key predicate of a record, as SAP writes it in `__metadata.uri`. */
export function keyPredicate(keys: readonly string[], values: Readonly<Record<string, unknown>>): string {
  const quote = (v: unknown): string => `'${encodeURIComponent(String(v ?? '').replace(/'/g, "''"))}'`;
  return keys.length === 1 ? quote(values[keys[0] as string]) : keys.map((k) => `${k}=${quote(values[k])}`).join(',');
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "'") quoted = !quoted;
    else if (text[i] === ',' && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
