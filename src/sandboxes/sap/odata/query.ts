/**
 * A collection read with the system query options: `$filter`, `$orderby`, `$skip`, `$top`,
 * `$select`, `$expand`, `$inlinecount=allpages` (→ `__count`) and server-side paging: past the
 * page size the answer carries `__next`, the same query with `$skiptoken`.
 */
import { badRequest } from '../errors.ts';
import type { EntitySetDef } from '../schema.ts';
import type { SapRecord } from '../store.ts';
import { compileFilter } from './filter.ts';
import { parseExpand, renderEntity, type RenderContext } from './render.ts';
import { comparable } from './values.ts';

const KNOWN = new Set(['$filter', '$orderby', '$skip', '$top', '$select', '$expand', '$inlinecount', '$skiptoken', '$format', 'sap-client', 'sap-language']);

/** Answers a collection read as `{d:{results, __count?, __next?}}`. */
export function queryCollection(ctx: RenderContext, def: EntitySetDef, records: SapRecord[], query: URLSearchParams, pageSize: number, path: string): Record<string, unknown> {
  for (const name of query.keys()) if (name.startsWith('$') && !KNOWN.has(name)) throw badRequest(`System query option '${name}' is not supported`);
  const filter = query.get('$filter');
  const predicate = filter ? cachedFilter(def, filter) : undefined;
  let rows = predicate ? records.filter((r) => predicate(r.values)) : records.slice();
  const orderby = query.get('$orderby');
  if (orderby) rows = sort(def, rows, orderby);
  const count = rows.length;
  const skip = count0(query, '$skip') + count0(query, '$skiptoken');
  const top = query.has('$top') ? count0(query, '$top') : undefined;
  const requestedEnd = top === undefined ? rows.length : Math.min(rows.length, count0(query, '$skip') + top);
  const end = Math.min(requestedEnd, skip + pageSize);
  const page = rows.slice(skip, end);
  const select = query.get('$select');
  const selected = select ? new Set(select.split(',').map((s) => s.trim())) : undefined;
  if (selected) for (const name of selected) if (def.props[name] === undefined && def.navs[name] === undefined && name !== '*') throw badRequest(`Property '${name}' not found in type '${def.name}Type'`, name);
  const expand = parseExpand(query.get('$expand') ?? undefined);
  for (const name of expand.keys()) if (def.navs[name] === undefined) throw badRequest(`Navigation property '${name}' not found in type '${def.name}Type'`, name);
  const d: Record<string, unknown> = { results: page.map((r) => renderEntity(ctx, def, r, expand, selected?.has('*') ? undefined : selected)) };
  if (query.get('$inlinecount') === 'allpages') d['__count'] = String(count);
  if (end < requestedEnd) {
    const next = new URLSearchParams(query);
    next.set('$skiptoken', String(end - count0(query, '$skip')));
    d['__next'] = `${ctx.serviceUrl}/${path}?${next.toString()}`;
  }
  return { d };
}

// A connector repeats the same few filters: each is parsed once (a bounded cache, cleared when full).
const FILTERS = new Map<string, ReturnType<typeof compileFilter>>();

function cachedFilter(def: EntitySetDef, text: string): ReturnType<typeof compileFilter> {
  const key = `${def.service}/${def.name}?${text}`;
  let compiled = FILTERS.get(key);
  if (compiled === undefined) {
    if (FILTERS.size >= 500) FILTERS.clear();
    compiled = compileFilter(def, text);
    FILTERS.set(key, compiled);
  }
  return compiled;
}

function count0(query: URLSearchParams, name: string): number {
  const text = query.get(name);
  if (text === null) return 0;
  if (!/^\d+$/.test(text)) throw badRequest(`Invalid value '${text}' for system query option ${name}`);
  return Number(text);
}

function sort(def: EntitySetDef, rows: SapRecord[], orderby: string): SapRecord[] {
  const keys = orderby.split(',').map((part) => {
    const [name = '', dir = 'asc'] = part.trim().split(/\s+/);
    const type = def.props[name];
    if (type === undefined) throw badRequest(`Property '${name}' not found in type '${def.name}Type'`, name);
    return { name, type, desc: dir.toLowerCase() === 'desc' };
  });
  return rows.sort((a, b) => {
    for (const k of keys) {
      const x = comparable(k.type, a.values[k.name]);
      const y = comparable(k.type, b.values[k.name]);
      if (x === y) continue;
      const lt = x === null || (y !== null && x < y);
      return (lt ? -1 : 1) * (k.desc ? -1 : 1);
    }
    return 0;
  });
}
