/**
 * Runs a resolved SOQL query over the record store: filter, sort, offset/limit, then shape each
 * row as the REST API does — `attributes`, parent relationships as nested objects, child
 * subqueries as nested query results.
 */
import type { RecordStore, StoredRecord } from '../store.ts';
import { aggregate } from './aggregate.ts';
import type { Condition, FieldPath, Literal, SoqlQuery } from './model.ts';

/** A result row, in the REST API's JSON shape. */
export type Row = Record<string, unknown>;

/** What a query produced, before paging. */
export interface QueryResult {
  /** Rows (all of them; the route pages). */
  readonly rows: Row[];
  /** `totalSize` to report (differs from rows.length for `COUNT()`). */
  readonly totalSize: number;
}

// Results of a parsed query, kept until the store changes: connectors poll the same query, and
// shaping rows is most of a query's cost. Rows are never mutated after they are built.
const memos = new WeakMap<RecordStore, WeakMap<SoqlQuery, { key: string; result: QueryResult }>>();

/** Runs a query; `includeDeleted` is `queryAll`. */
export function executeSoql(store: RecordStore, query: SoqlQuery, apiVersion: string, includeDeleted: boolean): QueryResult {
  const key = `${store.version}|${apiVersion}|${includeDeleted}`;
  let memo = memos.get(store);
  if (!memo) {
    memo = new WeakMap();
    memos.set(store, memo);
  }
  const hit = memo.get(query);
  if (hit && hit.key === key) return hit.result;
  const result = run(store, query, apiVersion, includeDeleted);
  memo.set(query, { key, result });
  return result;
}

function run(store: RecordStore, query: SoqlQuery, apiVersion: string, includeDeleted: boolean): QueryResult {
  const matched = select(store, query, store.list(query.type.name, includeDeleted));
  if (query.countOnly) return { rows: [], totalSize: matched.length };
  if (query.groupBy.length > 0 || query.select.some((s) => s.kind === 'aggregate')) {
    const all = query.where ? store.list(query.type.name, includeDeleted).filter((r) => test(store, r, query.where as Condition)) : store.list(query.type.name, includeDeleted);
    const rows = aggregate(query, all, (r, path) => read(store, r, path));
    return { rows, totalSize: rows.length };
  }
  return { rows: matched.map((r) => shape(store, query, r, apiVersion)), totalSize: matched.length };
}

function select(store: RecordStore, query: SoqlQuery, records: StoredRecord[]): StoredRecord[] {
  let out = query.where ? records.filter((r) => test(store, r, query.where as Condition)) : records;
  if (query.orderBy.length > 0) {
    const keyed = out.map((r) => ({ r, keys: query.orderBy.map((o) => sortKey(read(store, r, o.path))) }));
    keyed.sort((a, b) => {
      for (const [i, o] of query.orderBy.entries()) {
        const c = compareKeys(a.keys[i], b.keys[i], o.nullsLast);
        if (c !== 0) return o.desc && a.keys[i] !== null && b.keys[i] !== null ? -c : c;
      }
      return 0;
    });
    out = keyed.map((k) => k.r);
  }
  const offset = query.offset ?? 0;
  return out.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
}

function shape(store: RecordStore, query: SoqlQuery, record: StoredRecord, apiVersion: string): Row {
  const row: Row = { attributes: attributes(record, apiVersion) };
  for (const item of query.select) {
    if (item.kind === 'field') {
      place(store, row, record, item.path, apiVersion);
    } else if (item.kind === 'subquery') {
      const children = store.findBy(item.relationship.childSObject, item.relationship.field, record.id);
      const rows = select(store, item.query, children).map((c) => shape(store, item.query, c, apiVersion));
      row[item.relationship.relationshipName] = rows.length === 0 ? null : { totalSize: rows.length, done: true, records: rows };
    }
  }
  return row;
}

/** Writes a (possibly nested) field into a row, creating parent objects as Salesforce nests them. */
function place(store: RecordStore, row: Row, record: StoredRecord, path: FieldPath, apiVersion: string): void {
  let target = row;
  let current: StoredRecord | undefined = record;
  for (const [i, ref] of path.via.entries()) {
    const name = path.names[i] as string;
    const parentId: unknown = current.fields[ref.name];
    const parent: StoredRecord | undefined = typeof parentId === 'string' ? store.get(parentId) : undefined;
    if (!parent) {
      if (!(name in target)) target[name] = null;
      return;
    }
    const existing = target[name];
    const nested: Row = existing && typeof existing === 'object' ? (existing as Row) : { attributes: attributes(parent, apiVersion) };
    target[name] = nested;
    target = nested;
    current = parent;
  }
  target[path.field.name] = current.fields[path.field.name] ?? null;
}

function attributes(record: StoredRecord, apiVersion: string): { type: string; url: string } {
  return { type: record.type, url: `/services/data/v${apiVersion}/sobjects/${record.type}/${record.id}` };
}

/** Reads a field through parent relationships; null when any link is empty. */
function read(store: RecordStore, record: StoredRecord, path: FieldPath): unknown {
  let current: StoredRecord | undefined = record;
  for (const ref of path.via) {
    const id: unknown = current.fields[ref.name];
    current = typeof id === 'string' ? store.get(id) : undefined;
    if (!current) return null;
  }
  return current.fields[path.field.name] ?? null;
}

function test(store: RecordStore, record: StoredRecord, cond: Condition): boolean {
  switch (cond.kind) {
    case 'and':
      return cond.items.every((c) => test(store, record, c));
    case 'or':
      return cond.items.some((c) => test(store, record, c));
    case 'not':
      return !test(store, record, cond.item);
    case 'semi': {
      const value = read(store, record, cond.path);
      const found = value !== null && semiJoinIds(store, cond).has(value);
      return cond.negate ? !found : found;
    }
    case 'compare': {
      const value = read(store, record, cond.path);
      const isTime = cond.path.field.type === 'date' || cond.path.field.type === 'datetime';
      const actual = isTime && typeof value === 'string' ? toTime(value) : value;
      switch (cond.op) {
        case 'IN':
          return cond.values.some((l) => matches(actual, '=', l));
        case 'NOTIN':
          return !cond.values.some((l) => matches(actual, '=', l));
        default:
          return cond.values[0] !== undefined && matches(actual, cond.op, cond.values[0]);
      }
    }
  }
}

// The id set of a semi-join, computed once per store version rather than once per outer row.
const semiJoins = new WeakMap<object, { store: RecordStore; version: number; ids: Set<unknown> }>();

function semiJoinIds(store: RecordStore, cond: Extract<Condition, { kind: 'semi' }>): Set<unknown> {
  const hit = semiJoins.get(cond);
  if (hit && hit.store === store && hit.version === store.version) return hit.ids;
  const ids = new Set(select(store, cond.query, store.list(cond.query.type.name)).map((r) => read(store, r, cond.field)));
  semiJoins.set(cond, { store, version: store.version, ids });
  return ids;
}

function matches(actual: unknown, op: string, literal: Literal): boolean {
  if (literal.kind === 'range') {
    if (typeof actual !== 'number') return op === '!=' && actual === null;
    const inside = actual >= literal.start && actual < literal.end;
    const checks: Record<string, boolean> = {
      '=': inside,
      '!=': !inside,
      '<': actual < literal.start,
      '>': actual >= literal.end,
      '<=': actual < literal.end,
      '>=': actual >= literal.start,
    };
    return checks[op] ?? false;
  }
  const expected = literal.value;
  if (expected === null || actual === null || actual === undefined) {
    const bothNull = expected === null && (actual === null || actual === undefined);
    return op === '=' ? bothNull : op === '!=' ? !bothNull : false;
  }
  if (op === 'LIKE') return likeToRegExp(String(expected)).test(String(actual));
  const c = compareKeys(sortKey(actual), sortKey(expected), false);
  const checks: Record<string, boolean> = { '=': c === 0, '!=': c !== 0, '<': c < 0, '>': c > 0, '<=': c <= 0, '>=': c >= 0 };
  return checks[op] ?? false;
}

function likeToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'is');
}

function toTime(value: string): number | null {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(t) ? null : t;
}

/** A comparable form of a field value. */
export type SortKey = string | number | null;

/** The value a field sorts by: numbers as numbers, text lower-cased, null as null. */
export function sortKey(value: unknown): SortKey {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return String(value).toLowerCase();
}

/** Compares sort keys, placing nulls first or last. */
export function compareKeys(a: SortKey | undefined, b: SortKey | undefined, nullsLast: boolean): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an && bn ? 0 : an === nullsLast ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
