/**
 * Converts SOQL literals (strings with escapes, numbers, booleans, dates, datetimes and the
 * relative date literals such as `TODAY` and `LAST_N_DAYS:30`) into values the evaluator compares.
 */
import { SalesforceError } from '../errors.ts';
import type { Literal } from './model.ts';

const DAY = 86_400_000;

/** Converts one literal from the parser's text form. */
export function toLiteral(literalType: string, raw: string, n: number | undefined): Literal {
  switch (literalType) {
    case 'STRING':
      return { kind: 'value', value: unquote(raw) };
    case 'INTEGER':
    case 'DECIMAL':
      return { kind: 'value', value: Number(raw) };
    case 'BOOLEAN':
      return { kind: 'value', value: raw.toUpperCase() === 'TRUE' };
    case 'NULL':
      return { kind: 'value', value: null };
    case 'DATE':
      return { kind: 'range', start: Date.parse(`${raw}T00:00:00Z`), end: Date.parse(`${raw}T00:00:00Z`) + DAY };
    case 'DATETIME': {
      const t = Date.parse(raw.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
      if (Number.isNaN(t)) throw malformed(`line 1:0 no viable alternative at character '${raw}'`);
      return { kind: 'range', start: t, end: t + 1 };
    }
    case 'DATE_LITERAL':
      return dateLiteral(raw.toUpperCase(), 0);
    case 'DATE_N_LITERAL':
      return dateLiteral(raw.toUpperCase().split(':')[0] ?? '', n ?? 0);
    default:
      throw malformed(`unexpected token: '${raw}'`);
  }
}

function unquote(raw: string): string {
  const body = raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw;
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' })[c] ?? c);
}

function startOfDay(t: number): number {
  return Math.floor(t / DAY) * DAY;
}

/** Relative date literals, in UTC (the sandbox's org time zone). */
function dateLiteral(name: string, n: number): Literal {
  const today = startOfDay(Date.now());
  const now = new Date(today);
  const monthStart = (offset: number): number => Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1);
  const yearStart = (offset: number): number => Date.UTC(now.getUTCFullYear() + offset, 0, 1);
  const weekStart = today - now.getUTCDay() * DAY;
  const ranges: Record<string, [number, number]> = {
    TODAY: [today, today + DAY],
    YESTERDAY: [today - DAY, today],
    TOMORROW: [today + DAY, today + 2 * DAY],
    THIS_WEEK: [weekStart, weekStart + 7 * DAY],
    LAST_WEEK: [weekStart - 7 * DAY, weekStart],
    NEXT_WEEK: [weekStart + 7 * DAY, weekStart + 14 * DAY],
    THIS_MONTH: [monthStart(0), monthStart(1)],
    LAST_MONTH: [monthStart(-1), monthStart(0)],
    NEXT_MONTH: [monthStart(1), monthStart(2)],
    THIS_YEAR: [yearStart(0), yearStart(1)],
    LAST_YEAR: [yearStart(-1), yearStart(0)],
    NEXT_YEAR: [yearStart(1), yearStart(2)],
    LAST_90_DAYS: [today - 90 * DAY, today + DAY],
    NEXT_90_DAYS: [today + DAY, today + 91 * DAY],
    LAST_N_DAYS: [today - n * DAY, today + DAY],
    NEXT_N_DAYS: [today + DAY, today + (n + 1) * DAY],
    N_DAYS_AGO: [today - n * DAY, today - (n - 1) * DAY],
    LAST_N_WEEKS: [weekStart - n * 7 * DAY, weekStart],
    NEXT_N_WEEKS: [weekStart + 7 * DAY, weekStart + (n + 1) * 7 * DAY],
    LAST_N_MONTHS: [monthStart(-n), monthStart(0)],
    NEXT_N_MONTHS: [monthStart(1), monthStart(n + 1)],
  };
  const range = ranges[name];
  if (!range) throw malformed(`The date literal ${name} is not supported by the Interlock sandbox`);
  return { kind: 'range', start: range[0], end: range[1] };
}

/** `400 MALFORMED_QUERY`. */
export function malformed(message: string): SalesforceError {
  return new SalesforceError(400, 'MALFORMED_QUERY', message);
}
