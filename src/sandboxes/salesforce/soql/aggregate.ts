/**
 * Aggregate SOQL: `COUNT(field)`, `COUNT_DISTINCT`, `SUM`, `MIN`, `MAX`, `AVG`, with or without
 * GROUP BY. Rows come back as `AggregateResult`s: grouped fields under their names, aggregates
 * under their alias or `expr0`, `expr1`…; ORDER BY (on grouped fields), OFFSET and LIMIT apply
 * to the groups.
 */
import type { StoredRecord } from '../store.ts';
import { compareKeys, sortKey } from './execute.ts';
import type { Row } from './execute.ts';
import type { AggregateFunction, FieldPath, SoqlQuery } from './model.ts';

/** Groups and aggregates records that passed the WHERE clause. */
export function aggregate(query: SoqlQuery, records: readonly StoredRecord[], read: (r: StoredRecord, path: FieldPath) => unknown): Row[] {
  const groups = new Map<string, StoredRecord[]>();
  for (const r of records) {
    const key = JSON.stringify(query.groupBy.map((g) => read(r, g)));
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  // Without GROUP BY there is exactly one group, even when nothing matched.
  if (query.groupBy.length === 0 && groups.size === 0) groups.set('[]', []);
  let entries = [...groups.values()];
  if (query.orderBy.length > 0) {
    const keyed = entries.map((g) => ({ g, keys: query.orderBy.map((o) => sortKey(g[0] ? read(g[0], o.path) : null)) }));
    keyed.sort((a, b) => {
      for (const [i, o] of query.orderBy.entries()) {
        const c = compareKeys(a.keys[i], b.keys[i], o.nullsLast);
        if (c !== 0) return o.desc && a.keys[i] !== null && b.keys[i] !== null ? -c : c;
      }
      return 0;
    });
    entries = keyed.map((k) => k.g);
  }
  const offset = query.offset ?? 0;
  entries = entries.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
  return entries.map((group) => {
    const row: Row = { attributes: { type: 'AggregateResult' } };
    for (const item of query.select) {
      if (item.kind === 'field') row[item.path.field.name] = group[0] ? (read(group[0], item.path) ?? null) : null;
      if (item.kind === 'aggregate') row[item.alias] = compute(item.fn, item.path ? group.map((r) => read(r, item.path as FieldPath)) : group.map(() => 1));
    }
    return row;
  });
}

function compute(fn: AggregateFunction, values: unknown[]): unknown {
  const present = values.filter((v) => v !== null && v !== undefined);
  switch (fn) {
    case 'COUNT':
      return present.length;
    case 'COUNT_DISTINCT':
      return new Set(present.map((v) => (typeof v === 'string' ? v.toLowerCase() : v))).size;
    case 'SUM':
      return present.length === 0 ? null : present.reduce((s: number, v) => s + Number(v), 0);
    case 'AVG':
      return present.length === 0 ? null : present.reduce((s: number, v) => s + Number(v), 0) / present.length;
    case 'MIN':
    case 'MAX': {
      if (present.length === 0) return null;
      const sorted = [...present].sort((a, b) => compareKeys(sortKey(a), sortKey(b), true));
      return fn === 'MIN' ? sorted[0] : sorted[sorted.length - 1];
    }
  }
}
