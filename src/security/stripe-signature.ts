/**
 * Stripe's webhook signature: `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…]`, where each
 * v1 is hex HMAC-SHA256 of `${t}.${rawBody}` under the endpoint secret (`whsec_…`, used as is).
 * During a secret roll Stripe sends one v1 per active secret.
 */
import { createHmac } from 'node:crypto';
import { anyMatches, checkTimestamp, requireHeader, WebhookSignatureError, type SignedRequest } from './signed-request.ts';

const HEADER = 'stripe-signature';

/** Throws a {@link WebhookSignatureError} unless `req` carries a valid, fresh Stripe signature. */
export function verifyStripe(req: SignedRequest, secrets: readonly string[], toleranceMs: number, now: number): void {
  const header = requireHeader(req, HEADER);
  let t: string | undefined;
  const v1: Buffer[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    const k = item.slice(0, eq).trim();
    const v = item.slice(eq + 1).trim();
    if (k === 't') t = v;
    else if (k === 'v1' && /^[0-9a-f]{64}$/i.test(v)) v1.push(Buffer.from(v, 'hex'));
  }
  if (t === undefined || !/^\d+$/.test(t)) throw new WebhookSignatureError('malformed-header', 'the Stripe-Signature header has no timestamp', HEADER);
  if (v1.length === 0) throw new WebhookSignatureError('malformed-header', 'the Stripe-Signature header has no v1 signature', HEADER);
  checkTimestamp(Number(t) * 1000, now, toleranceMs, HEADER);
  const expected = secrets.map((s) => createHmac('sha256', s).update(`${t}.`).update(req.rawBody).digest());
  if (!anyMatches(v1, expected)) throw new WebhookSignatureError('no-matching-signature', 'no Stripe-Signature v1 value matches an active secret', HEADER);
}

/** The header value Stripe would send for `rawBody` at `timestampS` (tests, sandboxes). */
export function signStripe(rawBody: string, secret: string, timestampS: number): string {
  return `t=${timestampS},v1=${createHmac('sha256', secret).update(`${timestampS}.${rawBody}`).digest('hex')}`;
}
