/**
 * Standard Webhooks (standardwebhooks.com), for generic sources: `webhook-id`,
 * `webhook-timestamp` (unix s) and `webhook-signature: v1,<base64> [v1,<base64>…]`, each the
 * HMAC-SHA256 of `${id}.${timestamp}.${body}` under the secret's bytes (`whsec_<base64>`).
 */
import { createHmac } from 'node:crypto';
import { anyMatches, checkTimestamp, requireHeader, WebhookSignatureError, type SignedRequest } from './signed-request.ts';

/** The key bytes of a `whsec_…` secret (a secret without the prefix is taken as base64 too). */
export function standardWebhookKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/** Throws a {@link WebhookSignatureError} unless `req` carries a valid, fresh Standard Webhooks signature. */
export function verifyStandardWebhook(req: SignedRequest, secrets: readonly string[], toleranceMs: number, now: number): void {
  const id = requireHeader(req, 'webhook-id');
  const timestamp = requireHeader(req, 'webhook-timestamp');
  const header = requireHeader(req, 'webhook-signature');
  if (!/^\d+$/.test(timestamp)) throw new WebhookSignatureError('malformed-header', 'the webhook-timestamp header is not a timestamp', 'webhook-timestamp');
  checkTimestamp(Number(timestamp) * 1000, now, toleranceMs, 'webhook-timestamp');
  const presented = header
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => Buffer.from(part.slice(3), 'base64'));
  if (presented.length === 0) throw new WebhookSignatureError('malformed-header', 'the webhook-signature header has no v1 signature', 'webhook-signature');
  const content = `${id}.${timestamp}.${req.rawBody}`;
  const expected = secrets.map((s) => createHmac('sha256', standardWebhookKey(s)).update(content).digest());
  if (!anyMatches(presented, expected)) {
    throw new WebhookSignatureError('no-matching-signature', 'no webhook-signature v1 value matches an active secret', 'webhook-signature');
  }
}

/** The `webhook-signature` value for a message (tests, sandboxes). */
export function signStandardWebhook(id: string, timestampS: number, rawBody: string, secret: string): string {
  return `v1,${createHmac('sha256', standardWebhookKey(secret)).update(`${id}.${timestampS}.${rawBody}`).digest('base64')}`;
}
