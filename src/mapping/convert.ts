/**
 * The conversions a field rule can apply (`as:`). Money never passes through a float: decimals stay
 * strings, and minor units (Stripe's cents) are shifted as text.
 */
import type { Conversion } from './spec.ts';

/** A conversion function; throws {@link ConversionError} on a value it cannot convert. */
export type Converter = (value: unknown) => unknown;

/** Raised when a value cannot be converted; the compiler adds record, field and rule. */
export class ConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversionError';
  }
}

const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const DATE = /^\d{4}-\d{2}-\d{2}/;

function fail(value: unknown, what: string): never {
  throw new ConversionError(`${JSON.stringify(value)} is not ${what}`);
}

// ".01" … ".99" as they end a decimal (".1", not ".10"), so money text is one concatenation.
const CENTS: readonly string[] = Array.from({ length: 100 }, (_, c) => (c === 0 ? '' : c % 10 === 0 ? `.${c / 10}` : `.${c < 10 ? '0' : ''}${c}`));

// Amounts with at most two decimals (almost all money) are written from integer parts, which is
// several times cheaper than the general shortest-representation algorithm behind String(), and
// gives the same text (the unit test compares them over a million values).
function moneyToString(v: number): string | undefined {
  if (!(v > -1e13 && v < 1e13)) return undefined;
  const cents = Math.round(v * 100);
  if (cents / 100 !== v) return undefined;
  const abs = cents < 0 ? -cents : cents;
  const whole = Math.floor(abs / 100);
  const tail = CENTS[abs - whole * 100] as string;
  // Small whole numbers come from V8's number-to-string cache, so this allocates one string.
  return cents < 0 ? `-${whole}${tail}` : tail === '' ? String(whole) : String(whole) + tail;
}

function toDecimal(v: unknown): string {
  if (typeof v === 'number') {
    const fast = moneyToString(v);
    if (fast !== undefined) return fast;
    // String() of a finite number is a decimal unless it needs an exponent (1e21, 1e-7).
    const s = String(v);
    return Number.isFinite(v) && !s.includes('e') ? s : fail(v, 'a decimal');
  }
  return typeof v === 'string' && DECIMAL.test(v) ? v : fail(v, 'a decimal');
}

function toMinorUnits(v: unknown): number {
  const d = toDecimal(v);
  const negative = d.startsWith('-');
  const [whole = '0', frac = ''] = (negative ? d.slice(1) : d).split('.');
  if (frac.length > 2 && !/^0+$/.test(frac.slice(2))) fail(v, 'an amount with at most 2 decimals');
  const n = Number(whole) * 100 + Number(frac.slice(0, 2).padEnd(2, '0'));
  if (!Number.isSafeInteger(n)) fail(v, 'an amount within range');
  return negative && n !== 0 ? -n : n;
}

function toMajorUnits(v: unknown): string {
  const n = typeof v === 'string' && INTEGER.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) fail(v, 'an integer amount in minor units');
  const abs = String(Math.abs(n)).padStart(3, '0');
  return `${n < 0 ? '-' : ''}${abs.slice(0, -2)}.${abs.slice(-2)}`;
}

// Numbers are Unix seconds, as Stripe sends them; strings are RFC 3339.
function toEpochMs(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v * 1000;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  return fail(v, 'a date-time');
}

/** The converter for each conversion name. */
export const CONVERTERS: Readonly<Record<Conversion, Converter>> = {
  string: (v) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : fail(v, 'text')),
  decimal: toDecimal,
  integer: (v) =>
    typeof v === 'number' && Number.isSafeInteger(v) ? v : typeof v === 'string' && INTEGER.test(v) ? Number(v) : fail(v, 'an integer'),
  number: (v) =>
    typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && DECIMAL.test(v) ? Number(v) : fail(v, 'a number'),
  boolean: (v) => (typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : fail(v, 'a boolean')),
  date: (v) => {
    // A date alone is returned as it is, not copied.
    if (typeof v === 'string' && DATE.test(v)) return v.length === 10 ? v : v.slice(0, 10);
    return new Date(toEpochMs(v)).toISOString().slice(0, 10);
  },
  datetime: (v) => new Date(toEpochMs(v)).toISOString(),
  'epoch-ms': toEpochMs,
  'epoch-s': (v) => Math.floor(toEpochMs(v) / 1000),
  'minor-units': toMinorUnits,
  'major-units': toMajorUnits,
  upper: (v) => (typeof v === 'string' ? v.toUpperCase() : fail(v, 'text')),
  lower: (v) => (typeof v === 'string' ? v.toLowerCase() : fail(v, 'text')),
};
