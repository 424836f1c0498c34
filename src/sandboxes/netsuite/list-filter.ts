/**
 * The `q` filter of record collection lists (`GET /record/v1/customer?q=…`): conditions
 * `field OPERATOR value` joined by AND / OR, with NetSuite's operators — IS, IS_NOT, START_WITH,
 * START_WITH_NOT, CONTAIN, CONTAIN_NOT, END_WITH, EMPTY, EMPTY_NOT, ANY_OF, ANY_OF_NOT, EQUAL,
 * EQUAL_NOT, GREATER, GREATER_OR_EQUAL, LESS, LESS_OR_EQUAL, AFTER, BEFORE, ON, ON_OR_AFTER,
 * ON_OR_BEFORE. Values are quoted strings, numbers, booleans or `[a, b]` lists.
 */
import { NetSuiteError } from './errors.ts';
import { findNsField } from './schema.ts';
import type { NsRecordType } from './schema.ts';
import type { NsRecord } from './store.ts';

/** A compiled filter. */
export type RecordFilter = (record: NsRecord) => boolean;

type Value = string | number | boolean | Value[];
interface Clause {
  field: string;
  op: string;
  value: Value | undefined;
}

const UNARY = new Set(['EMPTY', 'EMPTY_NOT']);
const OPERATORS = new Set([
  'IS', 'IS_NOT', 'START_WITH', 'START_WITH_NOT', 'CONTAIN', 'CONTAIN_NOT', 'END_WITH', 'END_WITH_NOT', 'EMPTY', 'EMPTY_NOT',
  'ANY_OF', 'ANY_OF_NOT', 'EQUAL', 'EQUAL_NOT', 'GREATER', 'GREATER_OR_EQUAL', 'LESS', 'LESS_OR_EQUAL',
  'AFTER', 'BEFORE', 'ON', 'ON_OR_AFTER', 'ON_OR_BEFORE', 'BETWEEN', 'WITHIN',
]);

/** Compiles a `q` expression for a record type; bad syntax is `400 INVALID_PARAMETER`. */
export function compileFilter(type: NsRecordType, q: string): RecordFilter {
  const tokens = tokenize(q);
  let pos = 0;
  const bad = (why: string): NetSuiteError =>
    new NetSuiteError(400, 'INVALID_PARAMETER', `Invalid query parameter q: ${why}`, { queryParam: 'q' });
  const clause = (): RecordFilter => {
    const field = tokens[pos++];
    const op = tokens[pos++];
    if (typeof field !== 'string' || typeof op !== 'string' || !OPERATORS.has(op.toUpperCase())) throw bad('expected "field OPERATOR value"');
    const def = findNsField(type.fields, field);
    if (!def) throw bad(`unknown field ${field} on ${type.name}`);
    const c: Clause = { field: def.name, op: op.toUpperCase(), value: undefined };
    if (!UNARY.has(c.op)) {
      if (pos >= tokens.length) throw bad(`missing value after ${op}`);
      c.value = tokens[pos++];
    }
    return (r) => test(r, c);
  };
  const clauses: RecordFilter[][] = [[clause()]];
  while (pos < tokens.length) {
    const joiner = String(tokens[pos++]).toUpperCase();
    if (joiner === 'AND') clauses[clauses.length - 1]?.push(clause());
    else if (joiner === 'OR') clauses.push([clause()]);
    else throw bad(`unexpected ${joiner}`);
  }
  return (r) => clauses.some((group) => group.every((f) => f(r)));
}

function tokenize(q: string): Value[] {
  const out: Value[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|\[([^\]]*)\]|([^\s"[\]]+))/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(q)) !== null && m[0] !== '') {
    end = re.lastIndex;
    if (m[1] !== undefined) out.push(m[1].replace(/\\(.)/g, '$1'));
    else if (m[2] !== undefined) out.push(m[2].split(',').map((s) => literal(s.trim().replace(/^"|"$/g, ''))));
    else if (m[3] !== undefined) out.push(literal(m[3]));
  }
  if (q.slice(end).trim() !== '') {
    throw new NetSuiteError(400, 'INVALID_PARAMETER', 'Invalid query parameter q: unbalanced quotes or brackets', { queryParam: 'q' });
  }
  return out;
}

function literal(s: string): Value {
  if (s === 'true' || s === 'false') return s === 'true';
  return s;
}

function asTime(v: unknown): number {
  if (typeof v !== 'string') return NaN;
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  return us ? Date.UTC(Number(us[3]), Number(us[1]) - 1, Number(us[2])) : Date.parse(v);
}

function test(record: NsRecord, c: Clause): boolean {
  const raw = c.field === 'id' ? record.id : record.fields[c.field];
  const actual = raw === null || raw === undefined ? '' : raw;
  const text = String(actual).toLowerCase();
  const want = Array.isArray(c.value) ? c.value.map((v) => String(v).toLowerCase()) : String(c.value ?? '').toLowerCase();
  const num = (v: unknown): number => Number(v);
  const day = (t: number): number => Math.floor(t / 86_400_000);
  switch (c.op) {
    case 'IS': case 'EQUAL': return text === want;
    case 'IS_NOT': case 'EQUAL_NOT': return text !== want;
    case 'START_WITH': return text.startsWith(String(want));
    case 'START_WITH_NOT': return !text.startsWith(String(want));
    case 'CONTAIN': return text.includes(String(want));
    case 'CONTAIN_NOT': return !text.includes(String(want));
    case 'END_WITH': return text.endsWith(String(want));
    case 'END_WITH_NOT': return !text.endsWith(String(want));
    case 'EMPTY': return text === '';
    case 'EMPTY_NOT': return text !== '';
    case 'ANY_OF': return (Array.isArray(want) ? want : [want]).includes(text);
    case 'ANY_OF_NOT': return !(Array.isArray(want) ? want : [want]).includes(text);
    case 'GREATER': return num(actual) > num(c.value);
    case 'GREATER_OR_EQUAL': return num(actual) >= num(c.value);
    case 'LESS': return num(actual) < num(c.value);
    case 'LESS_OR_EQUAL': return num(actual) <= num(c.value);
    case 'AFTER': return day(asTime(actual)) > day(asTime(c.value));
    case 'BEFORE': return day(asTime(actual)) < day(asTime(c.value));
    case 'ON': return day(asTime(actual)) === day(asTime(c.value));
    case 'ON_OR_AFTER': return day(asTime(actual)) >= day(asTime(c.value));
    case 'ON_OR_BEFORE': return day(asTime(actual)) <= day(asTime(c.value));
    default: return false;
  }
}
