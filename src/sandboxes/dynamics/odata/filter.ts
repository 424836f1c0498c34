/**
 * `$filter` of the Web API: comparison operators `eq ne gt ge lt le`, `and`, `or`, `not`,
 * parentheses, and the string functions `contains`, `startswith`, `endswith`; literals are
 * strings ('it''s'), numbers, GUIDs, dates and date-times, `true`, `false`, `null`. Parsed into a
 * predicate over a row's Web API view (plain columns and `_lookup_value` ids). String comparison
 * ignores case, as Dataverse's default collation does.
 */
import { badRequest } from '../errors.ts';

/** A parsed filter: true when a row (its Web API properties) matches. */
export type Predicate = (row: Readonly<Record<string, unknown>>) => boolean;

type Token = { kind: 'ident' | 'string' | 'number' | 'literal' | 'punct'; text: string; value?: unknown; at: number };

const OPERATORS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set(['contains', 'startswith', 'endswith']);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/;

/**
 * Parses `text`; `hasProperty` says which names exist (an unknown one is a 400 naming it, as
 * Dataverse answers).
 */
export function parseFilter(text: string, hasProperty: (name: string) => boolean, typeName: string): Predicate {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const fail = (why: string): never => {
    throw badRequest(`Syntax error at position ${peek()?.at ?? text.length} in '${text}': ${why}.`);
  };
  const expect = (punct: string): void => {
    if (peek()?.text !== punct) fail(`expected '${punct}'`);
    pos++;
  };
  const property = (): string => {
    const t = peek();
    if (t?.kind !== 'ident') return fail('expected a property name');
    pos++;
    if (!hasProperty(t.text)) throw badRequest(`Could not find a property named '${t.text}' on type 'Microsoft.Dynamics.CRM.${typeName}'.`);
    return t.text;
  };
  const literal = (): unknown => {
    const t = peek();
    if (t === undefined || (t.kind !== 'string' && t.kind !== 'number' && t.kind !== 'literal')) return fail('expected a literal');
    pos++;
    return t.value;
  };
  const primary = (): Predicate => {
    const t = peek();
    if (t?.text === '(') {
      pos++;
      const inner = or();
      expect(')');
      return inner;
    }
    if (t?.text === 'not') {
      pos++;
      const inner = primary();
      return (row) => !inner(row);
    }
    if (t?.kind === 'ident' && FUNCTIONS.has(t.text.toLowerCase()) && tokens[pos + 1]?.text === '(') {
      pos += 2;
      const name = property();
      expect(',');
      const arg = literal();
      expect(')');
      if (typeof arg !== 'string') fail(`${t.text} takes a string`);
      const needle = String(arg).toLowerCase();
      const fn = t.text.toLowerCase();
      return (row) => {
        const v = row[name];
        if (typeof v !== 'string') return false;
        const hay = v.toLowerCase();
        return fn === 'contains' ? hay.includes(needle) : fn === 'startswith' ? hay.startsWith(needle) : hay.endsWith(needle);
      };
    }
    const name = property();
    const op = peek();
    if (op?.kind !== 'ident' || !OPERATORS.has(op.text)) return fail('expected a comparison operator');
    pos++;
    const value = literal();
    return (row) => compare(op.text, row[name], value);
  };
  const and = (): Predicate => {
    let left = primary();
    while (peek()?.text === 'and') {
      pos++;
      const l = left;
      const r = primary();
      left = (row) => l(row) && r(row);
    }
    return left;
  };
  const or = (): Predicate => {
    let left = and();
    while (peek()?.text === 'or') {
      pos++;
      const l = left;
      const r = and();
      left = (row) => l(row) || r(row);
    }
    return left;
  };
  const predicate = or();
  if (pos < tokens.length) fail(`unexpected '${peek()?.text ?? ''}'`);
  return predicate;
}

function compare(op: string, actual: unknown, expected: unknown): boolean {
  if (expected === null || actual === null || actual === undefined) {
    const bothNull = (actual ?? null) === null && expected === null;
    return op === 'eq' ? bothNull : op === 'ne' ? !bothNull : false;
  }
  const a = typeof actual === 'string' ? actual.toLowerCase() : actual;
  const e = typeof expected === 'string' ? expected.toLowerCase() : expected;
  if (typeof a !== typeof e) return op === 'ne';
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'gt':
      return (a as number) > (e as number);
    case 'ge':
      return (a as number) >= (e as number);
    case 'lt':
      return (a as number) < (e as number);
    default:
      return (a as number) <= (e as number);
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    if ('(),'.includes(rest[0] ?? '')) {
      tokens.push({ kind: 'punct', text: rest[0] ?? '', at: i });
      i++;
      continue;
    }
    if (rest.startsWith("'")) {
      let j = 1;
      let out = '';
      for (;;) {
        const q = rest.indexOf("'", j);
        if (q < 0) throw badRequest(`Syntax error at position ${i} in '${text}': unterminated string literal.`);
        out += rest.slice(j, q);
        if (rest[q + 1] === "'") {
          out += "'";
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      tokens.push({ kind: 'string', text: rest.slice(0, j), value: out, at: i });
      i += j;
      continue;
    }
    const guid = GUID.exec(rest);
    if (guid) {
      tokens.push({ kind: 'string', text: guid[0], value: guid[0].toLowerCase(), at: i });
      i += guid[0].length;
      continue;
    }
    const date = DATETIME.exec(rest);
    if (date && date[0].length >= 10) {
      tokens.push({ kind: 'string', text: date[0], value: date[0], at: i });
      i += date[0].length;
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], value: Number(number[0]), at: i });
      i += number[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (ident) {
      const word = ident[0];
      if (word === 'true' || word === 'false') tokens.push({ kind: 'literal', text: word, value: word === 'true', at: i });
      else if (word === 'null') tokens.push({ kind: 'literal', text: word, value: null, at: i });
      else tokens.push({ kind: 'ident', text: word, at: i });
      i += word.length;
      continue;
    }
    throw badRequest(`Syntax error at position ${i} in '${text}': unexpected character '${rest[0] ?? ''}'.`);
  }
  return tokens;
}
