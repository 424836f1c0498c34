/**
 * What every webhook signature scheme shares: the request as the verifier sees it, the typed
 * error naming what failed (401), header and timestamp checks, and the constant-time compare.
 */
import { timingSafeEqual } from 'node:crypto';
import { InterlockError } from '../core/errors.ts';

/** What a signed request offers the verifier. */
export interface SignedRequest {
  method: string;
  /** Full URL as the sender addressed it (scheme, host, path, query). */
  url: string;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body exactly as received. */
  rawBody: string;
}

/** Why a signature check failed. */
export type SignatureFailure = 'missing-header' | 'malformed-header' | 'stale-timestamp' | 'no-matching-signature';

/** A refused webhook: 401, with the reason and the header concerned in its details. */
export class WebhookSignatureError extends InterlockError {
  /** What failed. */
  readonly reason: SignatureFailure;

  constructor(reason: SignatureFailure, message: string, header: string) {
    super('auth', message, { type: 'invalid-signature', details: { reason, header } });
    this.name = 'WebhookSignatureError';
    this.reason = reason;
  }
}

/** The single value of header `name`, or a `missing-header` error. */
export function requireHeader(req: SignedRequest, name: string): string {
  const v = req.headers[name];
  const value = Array.isArray(v) ? v[0] : v;
  if (value === undefined || value === '') throw new WebhookSignatureError('missing-header', `the ${name} header is missing`, name);
  return value;
}

/** Refuses a timestamp (ms) further than `toleranceMs` from `now`, either way. */
export function checkTimestamp(timestampMs: number, now: number, toleranceMs: number, header: string): void {
  if (!Number.isFinite(timestampMs)) throw new WebhookSignatureError('malformed-header', `the ${header} header is not a timestamp`, header);
  if (Math.abs(now - timestampMs) > toleranceMs) {
    throw new WebhookSignatureError('stale-timestamp', `the ${header} timestamp is outside the ${toleranceMs / 1000}s tolerance`, header);
  }
}

/** Whether any presented signature equals any expected one, each compare in constant time. */
export function anyMatches(presented: readonly Buffer[], expected: readonly Buffer[]): boolean {
  let found = false;
  // No early exit: the time taken does not tell which secret or which signature matched.
  for (const p of presented) {
    for (const e of expected) {
      if (p.length === e.length && timingSafeEqual(p, e)) found = true;
    }
  }
  return found;
}
