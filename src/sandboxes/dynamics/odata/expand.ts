/**
 * `$expand`, as far as reading a deal in one request needs it: single-valued navigation
 * properties (a lookup's own name, or `<lookup>_<table>` for a customer lookup) with nested
 * `$select` and `$expand`, and the one collection-valued navigation property the sandbox knows —
 * an opportunity's `product_opportunities` — with nested `$select`, `$orderby` and `$expand`.
 * Anything else is a 400 in Dataverse's error shape: an unknown name as the Web API words it, a
 * real but unsupported form saying the sandbox does not support it.
 */
import { badRequest, noSuchProperty } from '../errors.ts';
import { entityByName, navigationTarget, type EntityDef } from '../schema.ts';
import type { Row } from '../store.ts';
import { parseSelect, propertyNames, renderRow, webView } from './render.ts';
import { sortViews } from './order.ts';

/** One parsed `$expand` item. */
export interface ExpandItem {
  /** Navigation property name. */
  readonly nav: string;
  /** The table it leads to. */
  readonly target: EntityDef;
  /** Single-valued: the lookup column read; collection-valued: the child's lookup to the parent. */
  readonly column: string;
  readonly collection: boolean;
  readonly select: string[] | undefined;
  readonly orderBy: string | undefined;
  readonly expand: readonly ExpandItem[];
}

/** How expansion reads related rows. */
export interface RelatedRows {
  /** The row of a table by id. */
  get(entity: EntityDef, id: string): Row | undefined;
  /** Every row of a table. */
  list(entity: EntityDef): Row[];
}

// Collection-valued navigation properties: Dataverse's relationship names (one-to-many from the parent).
const COLLECTIONS: Readonly<Record<string, Readonly<Record<string, { table: string; column: string }>>>> = {
  opportunity: { product_opportunities: { table: 'opportunityproduct', column: 'opportunityid' } },
};

const SINGLE_OPTIONS = new Set(['$select', '$expand']);
const COLLECTION_OPTIONS = new Set(['$select', '$orderby', '$expand']);
const KNOWN_OPTIONS = new Set(['$select', '$expand', '$orderby', '$filter', '$top', '$skip', '$count', '$levels', '$search']);

/** Parses an `$expand` value against `entity`; undefined or empty means nothing to expand. */
export function parseExpand(entity: EntityDef, text: string | undefined): ExpandItem[] {
  if (text === undefined || text.trim() === '') return [];
  return splitTop(text, ',', text).map((part) => parseItem(entity, part.trim(), text));
}

function parseItem(entity: EntityDef, part: string, whole: string): ExpandItem {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?$/s.exec(part);
  if (!match?.[1]) throw badRequest(`Syntax error in $expand '${whole}'.`);
  const nav = match[1];
  const options = parseOptions(match[2], whole);
  const collection = COLLECTIONS[entity.logicalName]?.[nav];
  const single = collection === undefined ? navigationTarget(entity, nav) : undefined;
  if (collection === undefined && single === undefined) {
    if (propertyNames(entity).has(nav)) {
      throw badRequest(`Property '${nav}' on type 'Microsoft.Dynamics.CRM.${entity.logicalName}' is not a navigation property or complex property. Only navigation properties can be expanded.`);
    }
    throw noSuchProperty(nav, entity.logicalName);
  }
  const target = entityByName(collection?.table ?? single?.target ?? '');
  if (target === undefined) throw noSuchProperty(nav, entity.logicalName);
  const allowed = collection === undefined ? SINGLE_OPTIONS : COLLECTION_OPTIONS;
  for (const key of options.keys()) {
    if (!KNOWN_OPTIONS.has(key)) throw badRequest(`The query option '${key}' is not supported in $expand '${whole}'.`);
    if (!allowed.has(key)) throw badRequest(`The sandbox does not support ${key} inside $expand of the ${collection === undefined ? 'single' : 'collection'}-valued navigation property '${nav}'.`);
  }
  const orderBy = options.get('$orderby');
  return {
    nav,
    target,
    column: collection?.column ?? single?.column ?? '',
    collection: collection !== undefined,
    select: parseSelect(target, options.get('$select')),
    orderBy,
    expand: parseExpand(target, options.get('$expand')),
  };
}

// `$select=a,b;$orderby=c asc;$expand=x($select=y)` → option map; each option at most once.
function parseOptions(text: string | undefined, whole: string): Map<string, string> {
  const out = new Map<string, string>();
  if (text === undefined || text.trim() === '') return out;
  for (const part of splitTop(text, ';', whole)) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    if (eq <= 0 || out.has(key)) throw badRequest(`Syntax error in $expand '${whole}'.`);
    out.set(key, part.slice(eq + 1).trim());
  }
  return out;
}

// Splits on `sep` outside parentheses; unbalanced parentheses are a syntax error.
function splitTop(text: string, sep: string, whole: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) throw badRequest(`Syntax error in $expand '${whole}'.`);
    else if (c === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw badRequest(`Syntax error in $expand '${whole}'.`);
  parts.push(text.slice(start));
  if (parts.some((p) => p.trim() === '')) throw badRequest(`Syntax error in $expand '${whole}'.`);
  return parts;
}

/** The `@odata.context` projection of a select and its expansions, e.g. `name,customerid_account(name)`. */
export function contextProjection(select: readonly string[] | undefined, expand: readonly ExpandItem[]): string {
  const parts = [...(select ?? []), ...expand.map((e) => {
    const inner = contextProjection(e.select, e.expand);
    return `${e.nav}(${inner})`;
  })];
  return parts.join(',');
}

/** Renders `row` with its expansions added (a single-valued one null when the lookup is empty or points elsewhere). */
export function renderExpanded(entity: EntityDef, row: Row, select: readonly string[] | undefined, expand: readonly ExpandItem[], annotations: boolean, related: RelatedRows): Record<string, unknown> {
  const out = renderRow(entity, row, select, annotations);
  for (const item of expand) {
    if (item.collection) {
      let children = related.list(item.target).filter((child) => child.refs[item.column]?.id === row.id);
      if (item.orderBy !== undefined) {
        children = sortViews(children.map((child) => ({ row: child, view: webView(item.target, child) })), item.orderBy, item.target).map((v) => v.row);
      }
      out[item.nav] = children.map((child) => renderExpanded(item.target, child, item.select, item.expand, annotations, related));
      continue;
    }
    const ref = row.refs[item.column];
    const target = ref && ref.target === item.target.logicalName ? related.get(item.target, ref.id) : undefined;
    out[item.nav] = target === undefined ? null : renderExpanded(item.target, target, item.select, item.expand, annotations, related);
  }
  return out;
}
