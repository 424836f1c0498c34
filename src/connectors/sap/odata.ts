/**
 * OData v2 helpers for the actions: literals with quotes doubled, key predicates, the `d`
 * envelope unwrapped (`results`, `__next`, `__count`), and `/Date(ms)/` read as ISO text.
 */
import { InterlockError } from '../../core/errors.ts';

/** A string literal: `'O''Brien'`. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `Set('1')` or `Set(A='1',B='2')`, URI-encoded. */
export function entityPath(set: string, key: string | Readonly<Record<string, string>>): string {
  const inner = typeof key === 'string' ? literal(key) : Object.entries(key).map(([k, v]) => `${k}=${literal(v)}`).join(',');
  return `${set}(${encodeURIComponent(inner).replace(/%3D/g, '=').replace(/%2C/g, ',')})`;
}

/** One page of a collection. */
export interface ODataPage<T> {
  results: T[];
  next: string | undefined;
  count: number | undefined;
}

/** Unwraps `{d:{results,…}}`. */
export function collection<T>(body: unknown): ODataPage<T> {
  const d = (body as { d?: { results?: unknown; __next?: unknown; __count?: unknown } } | undefined)?.d;
  if (d === undefined || !Array.isArray(d.results)) throw new InterlockError('unexpected', 'SAP answered a collection read without d.results');
  return { results: d.results as T[], next: typeof d.__next === 'string' ? d.__next : undefined, count: d.__count === undefined ? undefined : Number(d.__count) };
}

/** Unwraps `{d:{…}}`. */
export function entity<T>(body: unknown): T {
  const d = (body as { d?: unknown } | undefined)?.d;
  if (typeof d !== 'object' || d === null) throw new InterlockError('unexpected', 'SAP answered an entity read without d');
  return d as T;
}

/** The results of an expanded to-many navigation property. */
export function expanded<T>(value: unknown): T[] {
  const results = (value as { results?: unknown } | undefined)?.results;
  return Array.isArray(results) ? (results as T[]) : [];
}

/** `/Date(1546992000000)/` or `/Date(…+0000)/` → ISO text; anything else unchanged. */
export function fromODataDate(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const match = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value);
  return match === null ? value : new Date(Number(match[1])).toISOString();
}
