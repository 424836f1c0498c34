/**
 * Stripe-looking identifiers: a type prefix (`cus_`, `price_`, `evt_`…) and random base62, so ids
 * are unique across restarts of a persisted sandbox.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// Ids are made several times a request: random bytes are drawn in blocks and mapped to base62
// codes a block at a time (248 is the largest multiple of 62 below 256: bytes above it are
// skipped to avoid bias), so making an id is copying codes.
let pool = new Uint8Array(0);
let offset = 0;

function refill(): void {
  const raw = randomBytes(4096);
  const codes = new Uint8Array(raw.length);
  let n = 0;
  for (const byte of raw) if (byte < 248) codes[n++] = CODES[byte % 62] ?? 0;
  pool = codes.subarray(0, n);
  offset = 0;
}

const CODES: readonly number[] = Array.from(ALPHABET, (c) => c.charCodeAt(0));
const prefixCodes = new Map<string, readonly number[]>();

/**
 * `prefix` and `length` random base62 characters, as one flat string. Ids are map keys and JSON
 * values at once: a string grown a character at a time (or a prefix joined to a random part) is
 * a rope that V8 copies flat on first hashing, which profiling showed costing more than the map
 * insertion itself. One `String.fromCharCode` over all the codes makes it flat from the start.
 */
function token(prefix: string, length: number): string {
  let head = prefixCodes.get(prefix);
  if (head === undefined) {
    head = Array.from(prefix, (c) => c.charCodeAt(0));
    prefixCodes.set(prefix, head);
  }
  if (offset + length > pool.length) refill();
  const codes = new Array<number>(head.length + length);
  for (let i = 0; i < head.length; i++) codes[i] = head[i] ?? 0;
  for (let i = head.length; i < codes.length; i++) codes[i] = pool[offset++] ?? 0;
  return String.fromCharCode.apply(null, codes);
}

/** A random base62 string of `length` characters. */
export function randomToken(length: number): string {
  return token('', length);
}

/** A new object id with Stripe's prefix, e.g. `newId('cus')` → `cus_Q1w2E3r4T5y6U7`. */
export function newId(prefix: string): string {
  return token(`${prefix}_`, prefix === 'price' || prefix === 'pi' || prefix === 'sub' ? 24 : 14);
}

/** A request id as Stripe sends in `Request-Id`. */
export function newRequestId(): string {
  return token('req_', 14);
}
