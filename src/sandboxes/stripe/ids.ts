/**
 * Stripe-looking identifiers: a type prefix (`cus_`, `price_`, `evt_`…) and random base62, so ids
 * are unique across restarts of a persisted sandbox.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// Ids are made on every request, so random bytes are drawn in blocks rather than one call each.
let pool = Buffer.alloc(0);
let offset = 0;

function nextByte(): number {
  if (offset >= pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  return pool[offset++] ?? 0;
}

const CODES: readonly number[] = Array.from(ALPHABET, (c) => c.charCodeAt(0));

/**
 * `prefix` and `length` random base62 characters, as one flat string. Ids are map keys and JSON
 * values at once: a string grown a character at a time is a rope that V8 copies flat on first
 * hashing, which profiling showed costing more than the map insertion itself.
 */
function token(prefix: string, length: number): string {
  const codes: number[] = Array.from(prefix, (c) => c.charCodeAt(0));
  const end = codes.length + length;
  while (codes.length < end) {
    // 248 is the largest multiple of 62 below 256: bytes above it are skipped to avoid bias.
    const byte = nextByte();
    if (byte < 248) codes.push(CODES[byte % 62] ?? 0);
  }
  return String.fromCharCode(...codes);
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
