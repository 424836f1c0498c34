/**
 * Stripe's Search Query Language, the subset integrations use to find an object by a field or a
 * metadata key: clauses `field:'value'` (exact), `field~'value'` (substring, at least 3
 * characters), `-field:'value'` (negation), `metadata['key']:'value'`, joined by `AND` or by `OR`
 * (not both, as Stripe requires). Search results are `{ object: 'search_result', data,
 * has_more, next_page, url }`, paged with `page`.
 */
import { invalidParam } from './stripe-error.ts';

interface Clause {
  field: string;
  metadataKey: string | null;
  op: ':' | '~';
  value: string;
  negated: boolean;
}

const CLAUSE = /^(-?)(metadata\[['"]([^'"]+)['"]\]|[a-z_]+)([:~])(?:'([^']*)'|"([^"]*)"|(\S+))$/;

/** A compiled query: returns whether a record matches. */
export type Matcher = (record: Record<string, unknown>) => boolean;

/** Compiles `query` for records with the `allowed` top-level fields; throws Stripe's 400 on bad syntax. */
export function compileSearch(query: string, allowed: readonly string[]): Matcher {
  const tokens = query.trim().split(/\s+(AND|OR)\s+/);
  const joins = new Set(tokens.filter((_, i) => i % 2 === 1));
  if (joins.size > 1) throw invalidParam('query', 'Search queries cannot mix AND and OR.', 'search_query_invalid');
  const clauses = tokens.filter((_, i) => i % 2 === 0).map((text) => parseClause(text, allowed));
  const test = (record: Record<string, unknown>, c: Clause): boolean => {
    const raw = c.metadataKey === null ? record[c.field] : (record.metadata as Record<string, unknown> | undefined)?.[c.metadataKey];
    const actual = raw === null || raw === undefined ? '' : String(raw);
    const hit = c.op === ':' ? actual === c.value : actual.toLowerCase().includes(c.value.toLowerCase());
    return c.negated ? !hit : hit;
  };
  return joins.has('OR') ? (r) => clauses.some((c) => test(r, c)) : (r) => clauses.every((c) => test(r, c));
}

function parseClause(text: string, allowed: readonly string[]): Clause {
  const m = CLAUSE.exec(text);
  if (m === null) throw invalidParam('query', `Invalid search query: could not parse "${text}".`, 'search_query_invalid');
  const metadataKey = m[3] ?? null;
  const field = metadataKey === null ? (m[2] ?? '') : 'metadata';
  if (metadataKey === null && !allowed.includes(field)) {
    throw invalidParam('query', `Field '${field}' is not supported for search. Supported: ${allowed.join(', ')}, metadata.`, 'search_query_invalid');
  }
  const value = m[5] ?? m[6] ?? m[7] ?? '';
  const op = m[4] === '~' ? '~' : ':';
  if (op === '~' && value.length < 3) throw invalidParam('query', 'Substring search needs at least 3 characters.', 'search_query_invalid');
  return { field, metadataKey, op, value, negated: m[1] === '-' };
}

/** One page of search results; `page` is the opaque cursor of the previous page's `next_page`. */
export function searchPage<T extends { id: string }>(
  records: readonly T[],
  matches: Matcher,
  options: { limit: number; page: string | undefined; url: string },
): { object: 'search_result'; data: T[]; has_more: boolean; next_page: string | null; url: string } {
  const hits = [...records].reverse().filter((r) => matches(r as unknown as Record<string, unknown>));
  const start = options.page === undefined ? 0 : Number.parseInt(Buffer.from(options.page, 'base64url').toString('utf8'), 10);
  if (!Number.isInteger(start) || start < 0) throw invalidParam('page', 'Invalid page cursor.', 'parameter_invalid_string');
  const data = hits.slice(start, start + options.limit);
  const more = start + options.limit < hits.length;
  return {
    object: 'search_result',
    data,
    has_more: more,
    next_page: more ? Buffer.from(String(start + options.limit)).toString('base64url') : null,
    url: options.url,
  };
}
