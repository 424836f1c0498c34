/**
 * Salesforce record ids: a three-character key prefix naming the sObject type, a 12-character
 * body, and the 3-character case-safe suffix that turns the 15-character id into the 18-character
 * one the REST API returns.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** Computes the 3-character case-safe suffix of a 15-character id. */
export function caseSafeSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(bits);
  }
  return suffix;
}

/** Builds the 18-character id of the `n`th record with a key prefix, e.g. `001Hs00000000001AAA`. */
export function makeId(keyPrefix: string, n: number): string {
  let body = '';
  let rest = n;
  for (let i = 0; i < 10; i++) {
    body = BASE62.charAt(rest % 62) + body;
    rest = Math.floor(rest / 62);
  }
  const id15 = `${keyPrefix}Hs${body}`;
  return id15 + caseSafeSuffix(id15);
}

/** Turns a 15- or 18-character id into its 18-character form; undefined when it is not an id. */
export function normalizeId(value: string): string | undefined {
  if (/^[a-zA-Z0-9]{18}$/.test(value)) {
    return value.slice(0, 15) + caseSafeSuffix(value.slice(0, 15)) === value ? value : undefined;
  }
  if (/^[a-zA-Z0-9]{15}$/.test(value)) return value + caseSafeSuffix(value);
  return undefined;
}
