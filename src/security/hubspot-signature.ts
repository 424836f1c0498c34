/**
 * HubSpot's v3 webhook signature: `X-HubSpot-Signature-v3` is base64 HMAC-SHA256, under the
 * app's client secret, of `method + uri + body + timestamp`, where `uri` is the full URL called
 * and `timestamp` is `X-HubSpot-Request-Timestamp` (ms); requests older than 5 minutes are
 * refused. HubSpot signs the URI with a few percent-escapes decoded, so they are decoded here too.
 */
import { createHmac } from 'node:crypto';
import { anyMatches, checkTimestamp, requireHeader, WebhookSignatureError, type SignedRequest } from './signed-request.ts';

const SIGNATURE = 'x-hubspot-signature-v3';
const TIMESTAMP = 'x-hubspot-request-timestamp';

// The escapes HubSpot's request-validation guide says to decode before signing.
const DECODED: Readonly<Record<string, string>> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

/** The URI as HubSpot signs it. */
export function hubSpotUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED[m.toUpperCase()] ?? m);
}

/** Throws a {@link WebhookSignatureError} unless `req` carries a valid, fresh HubSpot v3 signature. */
export function verifyHubSpotV3(req: SignedRequest, secrets: readonly string[], toleranceMs: number, now: number): void {
  const signature = requireHeader(req, SIGNATURE);
  const timestamp = requireHeader(req, TIMESTAMP);
  if (!/^\d+$/.test(timestamp)) throw new WebhookSignatureError('malformed-header', `the ${TIMESTAMP} header is not a timestamp`, TIMESTAMP);
  checkTimestamp(Number(timestamp), now, toleranceMs, TIMESTAMP);
  const source = `${req.method.toUpperCase()}${hubSpotUri(req.url)}${req.rawBody}${timestamp}`;
  const expected = secrets.map((s) => createHmac('sha256', s).update(source).digest());
  if (!anyMatches([Buffer.from(signature, 'base64')], expected)) {
    throw new WebhookSignatureError('no-matching-signature', `the ${SIGNATURE} value matches no active secret`, SIGNATURE);
  }
}

/** The signature HubSpot would send (tests, sandboxes). */
export function signHubSpotV3(method: string, url: string, rawBody: string, secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${method.toUpperCase()}${hubSpotUri(url)}${rawBody}${timestampMs}`).digest('base64');
}
