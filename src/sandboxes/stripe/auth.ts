/**
 * Stripe's secret-key auth: `Authorization: Bearer sk_test_…` (or Basic with the key as user
 * name). Any well-formed test key is accepted; a missing or malformed one gets Stripe's 401.
 */
import type { FastifyRequest } from 'fastify';
import { StripeApiError } from './stripe-error.ts';

const TEST_KEY = /^(sk|rk)_test_[A-Za-z0-9_]{1,247}$/;

// Clients send the same header on every request: remember the last few accepted ones.
const accepted = new Map<string, string>();
const ACCEPTED_MAX = 64;

/** The API key of a request; throws Stripe's 401 when it is missing or not a test secret key. */
export function authenticate(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  const known = accepted.get(header);
  if (known !== undefined) return known;
  const key = keyOf(header);
  if (accepted.size >= ACCEPTED_MAX) accepted.delete(accepted.keys().next().value as string);
  accepted.set(header, key);
  return key;
}

function keyOf(header: string): string {
  const [scheme = '', credentials = ''] = header.split(' ', 2);
  let key = '';
  if (scheme.toLowerCase() === 'bearer') key = credentials.trim();
  else if (scheme.toLowerCase() === 'basic') key = Buffer.from(credentials, 'base64').toString('utf8').split(':')[0] ?? '';
  if (key === '') {
    throw new StripeApiError(
      401,
      'invalid_request_error',
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    );
  }
  if (!TEST_KEY.test(key)) {
    throw new StripeApiError(401, 'invalid_request_error', `Invalid API Key provided: ${redact(key)}`, {
      code: 'api_key_invalid',
    });
  }
  return key;
}

// Stripe shows only the prefix and the last four characters of a rejected key.
function redact(key: string): string {
  const prefix = key.match(/^[a-z]+_[a-z]+_/)?.[0] ?? '';
  return `${prefix}${'*'.repeat(Math.max(4, key.length - prefix.length - 4))}${key.slice(-4)}`;
}
