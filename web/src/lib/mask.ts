/**
 * Masks secrets in payloads before the console shows them. The API masks what it knows to be
 * secret; this is the second line, for payloads echoed from vendors (a token in a header, a
 * password in a webhook): by key name, and by value shapes that are always credentials.
 */

const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authori[sz]ation|cookie|signature|private[-_]?key|client[-_]?secret|card[-_]?number|cvc|ssn/i;
const SECRET_VALUE = /^(Bearer|Basic)\s+\S+|^(sk|rk|whsec)_(live|test)?_?\w{8,}|^ilk_(live|test)_\w+/;

/** The text shown instead of a secret. */
export const MASK = '••••••';

/** A copy of `value` with secret-looking fields and values replaced by {@link MASK}. */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 40) return value;
  if (typeof value === 'string') return SECRET_VALUE.test(value) ? MASK : value;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== null && v !== '' ? MASK : maskSecrets(v, depth + 1);
    return out;
  }
  return value;
}

/** Parses JSON text when it is JSON (payloads are stored as text), else returns the text. */
export function parseMaybe(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
