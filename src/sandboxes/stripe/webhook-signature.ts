/**
 * Stripe's webhook signature: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.payload">`
 * keyed with the endpoint's `whsec_` secret, which `stripe.webhooks.constructEvent` verifies.
 */
import { createHmac } from 'node:crypto';

/** The `Stripe-Signature` header for `payload` signed at Unix time `t`. */
export function stripeSignatureHeader(payload: string, secret: string, t: number): string {
  const v1 = createHmac('sha256', secret).update(`${t}.${payload}`, 'utf8').digest('hex');
  return `t=${t},v1=${v1}`;
}
