/**
 * `GET /<set>`: `$select`, `$expand` (see `expand.ts`), `$filter`, `$orderby`, `$top`, `$count`, and server-driven paging —
 * pages of `Prefer: odata.maxpagesize=N` (default and cap 5,000, echoed in `Preference-Applied`)
 * with an `@odata.nextLink` that carries a `$skiptoken` paging cookie, to be followed as is.
 */
import { badRequest } from '../errors.ts';
import type { EntityDef } from '../schema.ts';
import type { Row } from '../store.ts';
import { parseFilter } from './filter.ts';
import { contextProjection, parseExpand, renderExpanded, type RelatedRows } from './expand.ts';
import { sortViews } from './order.ts';
import { parseSelect, propertyNames, webView } from './render.ts';

/** Largest page (and the default). */
export const MAX_PAGE_SIZE = 5000;

const OPTIONS = new Set(['$select', '$expand', '$filter', '$orderby', '$top', '$count', '$skiptoken']);

/** A page to send. */
export interface CollectionPage {
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** Answers a collection query over `rows`; `url` is the request's absolute URL. */
export function queryCollection(entity: EntityDef, rows: readonly Row[], url: URL, prefer: string | undefined, annotations: boolean, related: RelatedRows): CollectionPage {
  for (const key of url.searchParams.keys()) {
    if (key.startsWith('$') && !OPTIONS.has(key)) throw badRequest(`The query parameter '${key}' is not supported.`);
  }
  const params = url.searchParams;
  const select = parseSelect(entity, params.get('$select') ?? undefined);
  const expand = parseExpand(entity, params.get('$expand') ?? undefined);
  const render = (row: Row): Record<string, unknown> => renderExpanded(entity, row, select, expand, annotations, related);
  const projection = contextProjection(select, expand);
  const known = propertyNames(entity);
  const filterText = params.get('$filter');
  const predicate = filterText === null ? undefined : parseFilter(filterText, (n) => known.has(n), entity.logicalName);
  let views = rows.map((row) => ({ row, view: webView(entity, row) }));
  if (predicate) views = views.filter((v) => predicate(v.view));
  const orderBy = params.get('$orderby');
  if (orderBy !== null) views = sortViews(views, orderBy, entity);
  const count = views.length;
  const top = params.get('$top');
  const base: Record<string, unknown> = { '@odata.context': `${url.origin}${url.pathname.replace(/[^/]+$/, '')}$metadata#${entity.setName}${projection === '' ? '' : `(${projection})`}` };
  if (params.get('$count') === 'true') base['@odata.count'] = Math.min(count, MAX_PAGE_SIZE);
  const headers: Record<string, string> = {};
  if (top !== null) {
    if (!/^\d+$/.test(top)) throw badRequest(`Invalid value '${top}' for $top query option found.`);
    const limited = views.slice(0, Number(top));
    return { body: { ...base, value: limited.map((v) => render(v.row)) }, headers };
  }
  const asked = /odata\.maxpagesize=(\d+)/i.exec(prefer ?? '')?.[1];
  const size = Math.min(asked === undefined ? MAX_PAGE_SIZE : Math.max(1, Number(asked)), MAX_PAGE_SIZE);
  if (asked !== undefined) headers['preference-applied'] = `odata.maxpagesize=${size}`;
  const page = pageNumber(params.get('$skiptoken'));
  const slice = views.slice((page - 1) * size, page * size);
  const body: Record<string, unknown> = { ...base, value: slice.map((v) => render(v.row)) };
  if (page * size < views.length) {
    const last = slice[slice.length - 1]?.row.id ?? '';
    const cookie = `<cookie pagenumber="${page + 1}" pagingcookie="%253ccookie%2520page%253d%2522${page}%2522%253e%253c${entity.idColumn}%2520last%253d%2522%257b${last}%257d%2522%2520%252f%253e%253c%252fcookie%253e" istracking="False" />`;
    // Written as Dataverse writes it: the caller's query kept verbatim, `$` and `=` unescaped.
    const query = url.search.replace(/^\?/, '').split('&').filter((p) => p !== '' && !/^(\$|%24)skiptoken=/i.test(p));
    query.push(`$skiptoken=${encodeURIComponent(cookie).replace(/%3D/g, '=').replace(/%2F/g, '/')}`);
    body['@odata.nextLink'] = `${url.origin}${url.pathname}?${query.join('&')}`;
  }
  return { body, headers };
}

function pageNumber(token: string | null): number {
  if (token === null) return 1;
  const n = /pagenumber="(\d+)"/.exec(token)?.[1];
  if (n === undefined) throw badRequest(`The $skiptoken '${token}' is not a valid paging cookie.`);
  return Number(n);
}
