/**
 * `$filter` of OData v2 as SAP Gateway accepts it for these services: comparisons (`eq`, `ne`,
 * `gt`, `ge`, `lt`, `le`) of a property with a literal, `and`, `or`, `not`, parentheses, and the
 * functions `substringof('x',P)`, `startswith(P,'x')`, `endswith(P,'x')`, `tolower(P)`,
 * `toupper(P)`. An unknown property is a 400, as SAP answers it.
 */
import { badRequest } from '../errors.ts';
import type { EntitySetDef } from '../schema.ts';
import { comparable, parseLiteral, type Stored } from './values.ts';

type Value = string | number | boolean | null;
type Expr = (record: Readonly<Record<string, Stored>>) => Value;

const TOKEN = /\s*(\(|\)|,|(?:datetime|datetimeoffset|guid|time)?'(?:[^']|'')*'|-?\d+(?:\.\d+)?[mMdDlLfF]?|[A-Za-z_][\w/]*)/y;

/** Compiles `$filter` for `def` into a predicate. */
export function compileFilter(def: EntitySetDef, text: string): (record: Readonly<Record<string, Stored>>) => boolean {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const take = (expected?: string): string => {
    const token = tokens[pos++];
    if (token === undefined || (expected !== undefined && token.toLowerCase() !== expected)) throw badRequest(`Invalid filter expression: '${text}'`);
    return token;
  };

  const or = (): Expr => {
    let left = and();
    while (peek()?.toLowerCase() === 'or') {
      take();
      const [l, r] = [left, and()];
      left = (rec) => l(rec) === true || r(rec) === true;
    }
    return left;
  };
  const and = (): Expr => {
    let left = unary();
    while (peek()?.toLowerCase() === 'and') {
      take();
      const [l, r] = [left, unary()];
      left = (rec) => l(rec) === true && r(rec) === true;
    }
    return left;
  };
  const unary = (): Expr => {
    if (peek()?.toLowerCase() === 'not') {
      take();
      const inner = unary();
      return (rec) => inner(rec) !== true;
    }
    const left = operand();
    const op = peek()?.toLowerCase();
    if (op === undefined || !['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) return left;
    take();
    const right = operand();
    return (rec) => compare(op, left(rec), right(rec));
  };
  const operand = (): Expr => {
    const token = take();
    if (token === '(') {
      const inner = or();
      take(')');
      return inner;
    }
    const fn = token.toLowerCase();
    if (peek() === '(' && ['substringof', 'startswith', 'endswith', 'tolower', 'toupper'].includes(fn)) {
      take('(');
      const args = [operand()];
      while (peek() === ',') {
        take();
        args.push(operand());
      }
      take(')');
      const [a, b] = args as [Expr, Expr | undefined];
      const str = (e: Expr | undefined, rec: Readonly<Record<string, Stored>>): string => String(e?.(rec) ?? '');
      if (fn === 'substringof') return (rec) => str(b, rec).includes(str(a, rec));
      if (fn === 'startswith') return (rec) => str(a, rec).startsWith(str(b, rec));
      if (fn === 'endswith') return (rec) => str(a, rec).endsWith(str(b, rec));
      if (fn === 'tolower') return (rec) => str(a, rec).toLowerCase();
      return (rec) => str(a, rec).toUpperCase();
    }
    if (/^[A-Za-z_]/.test(token) && !/^(datetime|datetimeoffset|guid|time)'/.test(token) && token !== 'null' && token !== 'true' && token !== 'false') {
      const type = def.props[token];
      if (type === undefined) throw badRequest(`Property '${token}' not found in type '${def.name}Type'`, token);
      return (rec) => comparable(type, rec[token]);
    }
    const literal = parseLiteral(token);
    return () => literal;
  };

  const expr = or();
  if (pos !== tokens.length) throw badRequest(`Invalid filter expression: '${text}'`);
  return (record) => expr(record) === true;
}

function compare(op: string, a: Value, b: Value): boolean {
  if (op === 'eq') return a === b;
  if (op === 'ne') return a !== b;
  if (a === null || b === null) return false;
  if (op === 'gt') return a > b;
  if (op === 'ge') return a >= b;
  if (op === 'lt') return a < b;
  return a <= b;
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (match === null || TOKEN.lastIndex === start) throw badRequest(`Invalid filter expression: '${text}'`);
    tokens.push(match[1] as string);
  }
  return tokens;
}
