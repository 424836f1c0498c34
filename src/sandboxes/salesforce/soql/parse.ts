/**
 * Parses SOQL with `@jetstreamapp/soql-parser-js` and resolves the result against the sandbox's
 * schema: unknown objects, fields and relationships become Salesforce's INVALID_TYPE /
 * INVALID_FIELD errors, and the parser's flat, parenthesis-counted WHERE list becomes a tree.
 */
import { parseQuery } from '@jetstreamapp/soql-parser-js';
import { SalesforceError } from '../errors.ts';
import { findChildRelationship, findField, findRelationship, findType } from '../schema.ts';
import type { SObjectType, SfField } from '../schema.ts';
import { malformed, toLiteral } from './literals.ts';
import type { AggregateFunction, Condition, FieldPath, OrderItem, SelectItem, SoqlQuery } from './model.ts';

/** The parser's output, typed only as far as this module reads it. */
interface RawQuery {
  sObject?: string;
  relationshipName?: string;
  fields?: RawField[];
  where?: RawWhere;
  orderBy?: RawOrder | RawOrder[];
  limit?: number;
  offset?: number;
  groupBy?: RawGroup | RawGroup[];
  having?: unknown;
}
interface RawField {
  type: string;
  field?: string;
  relationships?: string[];
  functionName?: string;
  parameters?: unknown[];
  alias?: string;
  subquery?: RawQuery;
}
interface RawCondition {
  field?: string;
  fn?: unknown;
  operator?: string;
  literalType?: string | string[];
  value?: string | string[];
  valueQuery?: unknown;
  dateLiteralVariable?: number | number[];
  openParen?: number;
  closeParen?: number;
}
interface RawWhere {
  left: RawCondition | null;
  operator?: string;
  right?: RawWhere;
}
interface RawGroup {
  field?: string;
}
interface RawOrder {
  field?: string;
  order?: string;
  nulls?: string;
}

type Token = '(' | ')' | 'AND' | 'OR' | 'NOT' | { cond: RawCondition };

/** Recently parsed statements: connectors repeat the same few queries, and parsing dominates. */
const cache = new Map<string, SoqlQuery>();
const CACHE_SIZE = 500;

/** Parses and resolves a SOQL statement (cached: the result is immutable). */
export function parseSoql(soql: string): SoqlQuery {
  // Relative date literals (TODAY, LAST_N_DAYS:n) resolve at parse time, so the key has the day.
  const key = `${Math.floor(Date.now() / 86_400_000)}|${soql}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const query = parseUncached(soql);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, query);
  return query;
}

function parseUncached(soql: string): SoqlQuery {
  let raw: RawQuery;
  try {
    raw = parseQuery(soql) as RawQuery;
  } catch (err) {
    throw malformed(err instanceof Error ? err.message.split('\n')[0] ?? 'unexpected token' : 'unexpected token');
  }
  const type = raw.sObject ? findType(raw.sObject) : undefined;
  if (!type) {
    throw new SalesforceError(
      400,
      'INVALID_TYPE',
      `sObject type '${raw.sObject ?? ''}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  return resolve(raw, type);
}

const AGGREGATES: ReadonlySet<string> = new Set(['COUNT', 'COUNT_DISTINCT', 'SUM', 'MIN', 'MAX', 'AVG']);

function resolve(raw: RawQuery, type: SObjectType): SoqlQuery {
  if (raw.having) throw malformed('HAVING is not supported by the Interlock sandbox');
  const groups = raw.groupBy === undefined ? [] : Array.isArray(raw.groupBy) ? raw.groupBy : [raw.groupBy];
  const groupBy = groups.map((g) => {
    if (!g.field) throw malformed('GROUP BY supports fields only in the Interlock sandbox');
    return resolvePath(type, g.field);
  });
  const select: SelectItem[] = [];
  let countOnly = false;
  let unnamed = 0;
  for (const f of raw.fields ?? []) {
    if (f.type === 'Field' && f.field) {
      select.push({ kind: 'field', path: resolvePath(type, f.field) });
    } else if (f.type === 'FieldRelationship' && f.field) {
      select.push({ kind: 'field', path: resolvePath(type, [...(f.relationships ?? []), f.field].join('.')) });
    } else if (f.type === 'FieldSubquery' && f.subquery) {
      const rel = findChildRelationship(type, f.subquery.relationshipName ?? '');
      const child = rel ? findType(rel.childSObject) : undefined;
      if (!rel || !child) {
        throw new SalesforceError(400, 'INVALID_TYPE', `Didn't understand relationship '${f.subquery.relationshipName ?? ''}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`);
      }
      select.push({ kind: 'subquery', relationship: rel, query: resolve(f.subquery, child) });
    } else if (f.type === 'FieldFunctionExpression' && AGGREGATES.has(f.functionName?.toUpperCase() ?? '')) {
      const fn = (f.functionName ?? '').toUpperCase() as AggregateFunction;
      const param = f.parameters?.[0];
      if (param === undefined && fn === 'COUNT') countOnly = true;
      else if (param === undefined) throw malformed(`${fn}() needs a field`);
      else select.push({ kind: 'aggregate', fn, alias: f.alias ?? `expr${unnamed++}`, path: resolvePath(type, String(param)) });
    } else {
      throw malformed(`The Interlock sandbox does not support this select item: ${f.functionName ?? f.type}`);
    }
  }
  const orders = raw.orderBy === undefined ? [] : Array.isArray(raw.orderBy) ? raw.orderBy : [raw.orderBy];
  const orderBy: OrderItem[] = orders.map((o) => {
    if (!o.field) throw malformed('ORDER BY supports fields only in the Interlock sandbox');
    const desc = o.order === 'DESC';
    return { path: resolvePath(type, o.field), desc, nullsLast: o.nulls ? o.nulls === 'LAST' : desc };
  });
  const aggregated = groupBy.length > 0 || select.some((s) => s.kind === 'aggregate');
  if (aggregated) {
    for (const item of select) {
      if (item.kind === 'subquery') throw malformed('Aggregate queries do not support subqueries');
      if (item.kind === 'field' && !groupBy.some((g) => samePath(g, item.path))) {
        throw malformed(`Field must be grouped or aggregated: ${item.path.field.name}`);
      }
    }
  }
  const where = raw.where ? buildTree(type, flatten(raw.where)) : undefined;
  return { type, select, where, orderBy, limit: raw.limit, offset: raw.offset, countOnly, groupBy };
}

function samePath(a: FieldPath, b: FieldPath): boolean {
  return a.field === b.field && a.via.length === b.via.length && a.via.every((f, i) => f === b.via[i]);
}

/** Resolves `Account.Owner.Name` from `type`, following parent relationships. */
export function resolvePath(type: SObjectType, dotted: string): FieldPath {
  const parts = dotted.split('.');
  // A leading alias equal to the object name is allowed: `Opportunity.Name` on Opportunity.
  if (parts.length > 1 && parts[0]?.toLowerCase() === type.name.toLowerCase() && !findRelationship(type, parts[0])) parts.shift();
  const via: SfField[] = [];
  const names: string[] = [];
  let current = type;
  for (const part of parts.slice(0, -1)) {
    const rel = findRelationship(current, part);
    const next = rel?.referenceTo ? findType(rel.referenceTo) : undefined;
    if (!rel || !next) {
      throw new SalesforceError(400, 'INVALID_FIELD', `Didn't understand relationship '${part}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`);
    }
    via.push(rel);
    names.push(rel.relationshipName ?? part);
    current = next;
  }
  const last = parts[parts.length - 1] ?? '';
  const field = findField(current, last);
  if (!field) {
    throw new SalesforceError(400, 'INVALID_FIELD', `No such column '${last}' on entity '${current.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);
  }
  return { via, field, names };
}

function flatten(node: RawWhere | undefined, out: Token[] = []): Token[] {
  if (!node) return out;
  const left = node.left;
  if (node.operator === 'NOT' && (left === null || (left.field === undefined && left.fn === undefined))) {
    for (let i = 0; i < (left?.openParen ?? 0); i++) out.push('(');
    out.push('NOT');
    return flatten(node.right, out);
  }
  if (!left) throw malformed('unexpected token in WHERE');
  for (let i = 0; i < (left.openParen ?? 0); i++) out.push('(');
  out.push({ cond: left });
  for (let i = 0; i < (left.closeParen ?? 0); i++) out.push(')');
  if (node.operator) {
    out.push(node.operator === 'OR' ? 'OR' : 'AND');
    flatten(node.right, out);
  }
  return out;
}

/** Precedence climbing over the flat token list: NOT binds tighter than AND, AND than OR. */
function buildTree(type: SObjectType, tokens: Token[]): Condition {
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const expr = (): Condition => {
    const items = [term()];
    while (peek() === 'OR') {
      pos++;
      items.push(term());
    }
    return items.length === 1 ? (items[0] as Condition) : { kind: 'or', items };
  };
  const term = (): Condition => {
    const items = [factor()];
    while (peek() === 'AND') {
      pos++;
      items.push(factor());
    }
    return items.length === 1 ? (items[0] as Condition) : { kind: 'and', items };
  };
  const factor = (): Condition => {
    const t = tokens[pos++];
    if (t === 'NOT') return { kind: 'not', item: factor() };
    if (t === '(') {
      const inner = expr();
      if (tokens[pos++] !== ')') throw malformed("unexpected token: missing ')'");
      return inner;
    }
    if (t && typeof t === 'object') return compare(type, t.cond);
    throw malformed('unexpected token in WHERE');
  };
  const tree = expr();
  if (pos !== tokens.length) throw malformed('unexpected token in WHERE');
  return tree;
}

/** `Id IN (SELECT AccountId FROM Opportunity WHERE …)`: the inner query selects one id field. */
function semiJoin(type: SObjectType, field: string, operator: string, raw: RawQuery): Condition {
  const inner = raw.sObject ? findType(raw.sObject) : undefined;
  if (!inner) throw new SalesforceError(400, 'INVALID_TYPE', `sObject type '${raw.sObject ?? ''}' is not supported.`);
  const query = resolve(raw, inner);
  const only = query.select[0];
  if (query.select.length !== 1 || only?.kind !== 'field' || (only.path.field.type !== 'id' && only.path.field.type !== 'reference')) {
    throw malformed('The selected field in a semi join must be an Id or a reference to an Id');
  }
  const op = operator.toUpperCase().replace(/\s+/g, '');
  if (op !== 'IN' && op !== 'NOTIN') throw malformed(`unexpected token: ${operator} before a subquery`);
  return { kind: 'semi', path: resolvePath(type, field), negate: op === 'NOTIN', query, field: only.path };
}

function compare(type: SObjectType, c: RawCondition): Condition {
  if (c.field !== undefined && c.valueQuery !== undefined) return semiJoin(type, c.field, c.operator ?? '', c.valueQuery as RawQuery);
  if (c.field === undefined) {
    throw malformed('The Interlock sandbox supports field comparisons and semi-joins only (no functions) in WHERE');
  }
  const op = (c.operator ?? '=').toUpperCase().replace(/\s+/g, '');
  if (!['=', '!=', '<>', '<', '>', '<=', '>=', 'IN', 'NOTIN', 'LIKE'].includes(op)) throw malformed(`unexpected token: ${op}`);
  const raws = Array.isArray(c.value) ? c.value : [c.value ?? ''];
  const values = raws.map((v, i) => {
    const lt = Array.isArray(c.literalType) ? c.literalType[i] : c.literalType;
    const n = Array.isArray(c.dateLiteralVariable) ? c.dateLiteralVariable[i] : c.dateLiteralVariable;
    return toLiteral(lt ?? 'STRING', v, n);
  });
  return { kind: 'compare', path: resolvePath(type, c.field), op: op === '<>' ? '!=' : op, values };
}
