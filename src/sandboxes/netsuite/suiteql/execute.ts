/**
 * Runs a SuiteQL statement over the sandbox's tables. Parsing is `node-sql-parser`'s; this file
 * evaluates the subset connectors use: one table or inner/left joins on conditions, WHERE with
 * comparisons, IN, LIKE, IS [NOT] NULL, BETWEEN, AND/OR/NOT, `TO_DATE`, `BUILTIN.DF`,
 * `COUNT(*)`, ORDER BY, and column aliases. Anything else is NetSuite's INVALID_PARAMETER.
 */
import sqlParser from 'node-sql-parser';
import { NetSuiteError } from '../errors.ts';
import type { NsStore } from '../store.ts';
import { SUITEQL_TABLES, displayName } from './tables.ts';
import type { Cell, TableRow } from './tables.ts';

/** A result row, columns in select order. */
export type ResultRow = Record<string, Cell>;

type Node = Record<string, unknown>;
type Context = Map<string, TableRow | null>;

const parser = new sqlParser.Parser();

/** Parses and runs a query, returning every row (the route pages). */
export function runSuiteQl(store: NsStore, q: string): ResultRow[] {
  let ast: Node;
  try {
    const parsed = parser.astify(q) as unknown;
    ast = (Array.isArray(parsed) ? parsed[0] : parsed) as Node;
  } catch (err) {
    throw invalid(`Search error occurred: ${err instanceof Error ? err.message.split('\n')[0] ?? '' : 'syntax error'}`);
  }
  if (ast['type'] !== 'select') throw invalid('Only SELECT statements are supported.');
  if (ast['groupby'] || ast['having']) throw invalid('GROUP BY and HAVING are not supported by the Interlock sandbox.');
  let contexts = fromClause(store, ast['from'] as Node[] | null);
  const where = ast['where'] as Node | null;
  if (where) contexts = contexts.filter((c) => truthy(store, c, where));
  const order = (ast['orderby'] as Node[] | null) ?? [];
  if (order.length > 0) {
    const keyed = contexts.map((c) => ({ c, keys: order.map((o) => comparable(value(store, c, o['expr'] as Node))) }));
    keyed.sort((a, b) => {
      for (const [i, o] of order.entries()) {
        const d = compare(a.keys[i] ?? null, b.keys[i] ?? null);
        if (d !== 0) return o['type'] === 'DESC' ? -d : d;
      }
      return 0;
    });
    contexts = keyed.map((k) => k.c);
  }
  const columns = ast['columns'] as Node[];
  const counting = columns.some((c) => (c['expr'] as Node)['type'] === 'aggr_func');
  if (counting) {
    const row: ResultRow = {};
    columns.forEach((c, i) => {
      const expr = c['expr'] as Node;
      if (expr['type'] !== 'aggr_func' || String(expr['name']).toUpperCase() !== 'COUNT') throw invalid('Only COUNT(*) aggregates are supported by the Interlock sandbox.');
      row[String(c['as'] ?? `expr${i + 1}`).toLowerCase()] = contexts.length;
    });
    return [row];
  }
  return contexts.map((c) => project(store, c, columns));
}

function invalid(detail: string): NetSuiteError {
  return new NetSuiteError(400, 'INVALID_PARAMETER', `Invalid search query. Detailed unprocessed description follows. ${detail}`);
}

function fromClause(store: NsStore, from: Node[] | null): Context[] {
  if (!from || from.length === 0) throw invalid('A FROM clause is required.');
  let contexts: Context[] = [new Map()];
  for (const source of from) {
    const name = String(source['table'] ?? '').toLowerCase();
    const table = SUITEQL_TABLES[name];
    if (!table) throw invalid(`Search error occurred: Record '${name}' was not found.`);
    const alias = String(source['as'] ?? name).toLowerCase();
    const rows = table.rows(store);
    const join = source['join'] as string | undefined;
    const on = source['on'] as Node | undefined;
    const next: Context[] = [];
    for (const ctx of contexts) {
      let matched = false;
      for (const row of rows) {
        const candidate = new Map(ctx).set(alias, row);
        if (!on || truthy(store, candidate, on)) {
          next.push(candidate);
          matched = true;
        }
      }
      if (!matched && join?.toUpperCase().startsWith('LEFT')) next.push(new Map(ctx).set(alias, null));
    }
    contexts = next;
  }
  return contexts;
}

function project(store: NsStore, ctx: Context, columns: Node[]): ResultRow {
  const out: ResultRow = {};
  for (const c of columns) {
    const expr = c['expr'] as Node;
    if (expr['type'] === 'column_ref' && expr['column'] === '*') {
      const tables = expr['table'] ? [String(expr['table']).toLowerCase()] : [...ctx.keys()];
      for (const t of tables) Object.assign(out, ctx.get(t) ?? {});
      continue;
    }
    const name = c['as'] ? String(c['as']) : expr['type'] === 'column_ref' ? String(expr['column']) : 'expr';
    out[name.toLowerCase()] = value(store, ctx, expr);
  }
  return out;
}

/** Evaluates an expression to a cell (or a list for IN). */
function value(store: NsStore, ctx: Context, expr: Node): Cell {
  switch (expr['type']) {
    case 'column_ref':
      return column(ctx, expr);
    case 'number':
      return Number(expr['value']);
    case 'single_quote_string':
    case 'string':
      return String(expr['value']);
    case 'null':
      return null;
    case 'bool':
      return expr['value'] ? 'T' : 'F';
    case 'function':
      return call(store, ctx, expr);
    case 'binary_expr':
    case 'unary_expr':
      return truthy(store, ctx, expr) ? 'T' : 'F';
    default:
      throw invalid(`Unsupported expression ${String(expr['type'])}.`);
  }
}

function column(ctx: Context, expr: Node): Cell {
  const name = String(expr['column']).toLowerCase();
  const qualifier = expr['table'] ? String(expr['table']).toLowerCase() : undefined;
  if (qualifier !== undefined) {
    if (!ctx.has(qualifier)) throw invalid(`Search error occurred: Unknown identifier '${qualifier}'.`);
    const row = ctx.get(qualifier);
    if (row && !(name in row)) throw invalid(`Search error occurred: Field '${name}' for record '${qualifier}' was not found.`);
    return row?.[name] ?? null;
  }
  for (const [alias, row] of ctx) {
    if (row && name in row) return row[name] ?? null;
    const table = SUITEQL_TABLES[alias];
    if (!row && table?.columns.includes(name)) return null;
  }
  throw invalid(`Search error occurred: Field '${name}' was not found.`);
}

function call(store: NsStore, ctx: Context, expr: Node): Cell {
  const nameNode = expr['name'] as Node;
  const parts = [((nameNode['schema'] as Node | undefined)?.['value']), ...((nameNode['name'] as Node[] | undefined) ?? []).map((n) => n['value'])];
  const name = parts.filter((p) => p !== undefined && p !== null).map(String).join('.').toUpperCase();
  const args = (((expr['args'] as Node | undefined)?.['value']) as Node[] | undefined) ?? [];
  const first = args[0];
  switch (name) {
    case 'BUILTIN.DF': {
      if (!first || first['type'] !== 'column_ref') throw invalid('BUILTIN.DF takes a field.');
      return displayName(store, String(first['column']).toLowerCase(), column(ctx, first));
    }
    case 'TO_DATE':
    case 'TO_TIMESTAMP': {
      const text = first ? value(store, ctx, first) : null;
      const t = typeof text === 'string' ? parseDate(text) : NaN;
      if (Number.isNaN(t)) throw invalid(`${name} could not parse ${JSON.stringify(text)}.`);
      return { t };
    }
    case 'NOT':
      // `NOT (a OR b)` reaches us as a call of NOT on the parenthesised condition.
      if (!first) throw invalid('NOT needs a condition.');
      return truthy(store, ctx, first) ? 'F' : 'T';
    case 'UPPER':
    case 'LOWER': {
      const v = first ? value(store, ctx, first) : null;
      return typeof v === 'string' ? (name === 'UPPER' ? v.toUpperCase() : v.toLowerCase()) : v;
    }
    default:
      throw invalid(`Unsupported function ${name}.`);
  }
}

function truthy(store: NsStore, ctx: Context, expr: Node): boolean {
  if (expr['type'] === 'unary_expr' && String(expr['operator']).toUpperCase() === 'NOT') return !truthy(store, ctx, expr['expr'] as Node);
  if (expr['type'] !== 'binary_expr') return value(store, ctx, expr) === 'T';
  const op = String(expr['operator']).toUpperCase();
  const left = expr['left'] as Node;
  const right = expr['right'] as Node;
  if (op === 'AND') return truthy(store, ctx, left) && truthy(store, ctx, right);
  if (op === 'OR') return truthy(store, ctx, left) || truthy(store, ctx, right);
  const l = value(store, ctx, left);
  if (op === 'IS' || op === 'IS NOT') return (l === null) === (op === 'IS');
  if (op === 'IN' || op === 'NOT IN') {
    const list = ((right['value'] as Node[] | undefined) ?? []).map((n) => value(store, ctx, n));
    const found = l !== null && list.some((v) => compare(comparable(l), comparable(coerceLike(l, v))) === 0);
    return op === 'IN' ? found : l !== null && !found;
  }
  if (op === 'BETWEEN' || op === 'NOT BETWEEN') {
    const [lo, hi] = ((right['value'] as Node[] | undefined) ?? []).map((n) => value(store, ctx, n));
    const inside = l !== null && compare(comparable(l), comparable(coerceLike(l, lo ?? null))) >= 0 && compare(comparable(l), comparable(coerceLike(l, hi ?? null))) <= 0;
    return op === 'BETWEEN' ? inside : l !== null && !inside;
  }
  const r = value(store, ctx, right);
  if (l === null || r === null) return false;
  if (op === 'LIKE' || op === 'NOT LIKE') {
    const re = new RegExp(`^${String(r).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, 's');
    return re.test(printable(l)) === (op === 'LIKE');
  }
  const d = compare(comparable(l), comparable(coerceLike(l, r)));
  switch (op) {
    case '=': return d === 0;
    case '<>': case '!=': return d !== 0;
    case '<': return d < 0;
    case '>': return d > 0;
    case '<=': return d <= 0;
    case '>=': return d >= 0;
    default: throw invalid(`Unsupported operator ${op}.`);
  }
}

/** A string compared with a date column is read as a date, as Oracle converts it. */
function coerceLike(left: Cell, right: Cell): Cell {
  if (left !== null && typeof left === 'object' && typeof right === 'string') {
    const t = parseDate(right);
    return Number.isNaN(t) ? right : { t };
  }
  return right;
}

/** Dates as NetSuite's default format prints them (M/D/YYYY), or ISO. */
export function parseDate(text: string): number {
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (us) return Date.UTC(Number(us[3]), Number(us[1]) - 1, Number(us[2]));
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? `${text.trim()}T00:00:00Z` : text);
}

function comparable(v: Cell): string | number | null {
  if (v === null) return null;
  if (typeof v === 'object') return v.t;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v;
}

function compare(a: string | number | null, b: string | number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** How a cell prints in a SuiteQL result: text, with dates as M/D/YYYY. */
export function printable(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'object') {
    const d = new Date(v.t);
    return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
  }
  return String(v);
}
