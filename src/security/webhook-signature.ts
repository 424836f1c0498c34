/**
 * Verifying signed webhooks: a source's `signature` setting and {@link verifyWebhook}, which
 * checks a request with the scheme the source is configured with. Each scheme lives in its own
 * file; what they share is in `signed-request.ts`.
 */
import { verifyHubSpotV3 } from './hubspot-signature.ts';
import { verifyStandardWebhook } from './standard-webhooks-signature.ts';
import { verifyStripe } from './stripe-signature.ts';
import type { SignedRequest } from './signed-request.ts';

/** The signing schemes Interlock checks. */
export type SignatureScheme = 'stripe' | 'hubspot-v3' | 'standard-webhooks';

/** A source's `signature` setting, normalised. */
export interface SignatureConfig {
  scheme: SignatureScheme;
  /** Every secret currently accepted (several during a rotation). */
  secrets: readonly string[];
  /** Largest clock difference accepted, ms. */
  toleranceMs: number;
  /** HubSpot: the public base URL the vendor calls, since the signature covers the full URI. */
  publicUrl?: string | undefined;
}

/** Checks `req` against the source's signature setting at time `now` (ms); throws when it fails. */
export function verifyWebhook(config: SignatureConfig, req: SignedRequest, now: number): void {
  switch (config.scheme) {
    case 'stripe':
      return verifyStripe(req, config.secrets, config.toleranceMs, now);
    case 'hubspot-v3':
      return verifyHubSpotV3(req, config.secrets, config.toleranceMs, now);
    case 'standard-webhooks':
      return verifyStandardWebhook(req, config.secrets, config.toleranceMs, now);
  }
}
