/**
 * How the connector signs in to a communication arrangement: Basic auth as the communication
 * user, or an OAuth 2.0 client-credentials token (client id and secret sent by Basic auth to the
 * token endpoint), cached for its `expires_in`.
 */
import type { Clock } from '../../core/clock.ts';
import { InterlockError } from '../../core/errors.ts';
import type { HttpTransport } from '../kit/http-transport.ts';
import type { IssuedToken } from '../kit/token-cache.ts';

/** The arrangement's credentials. */
export type SapCredentials =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'oauth'; clientId: string; clientSecret: string; /** @default '/sap/bc/sec/oauth2/token' */ tokenPath?: string };

/** The `Authorization` value of Basic credentials. */
export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Fetches an access token by client credentials. */
export async function fetchSapToken(transport: HttpTransport, credentials: Extract<SapCredentials, { kind: 'oauth' }>, _clock: Clock): Promise<IssuedToken<string>> {
  const res = await transport.call<Record<string, unknown>>({
    method: 'POST',
    path: credentials.tokenPath ?? '/sap/bc/sec/oauth2/token',
    headers: { authorization: basicHeader(credentials.clientId, credentials.clientSecret) },
    form: { grant_type: 'client_credentials' },
  });
  const token = res.body['access_token'];
  if (typeof token !== 'string') throw new InterlockError('unexpected', 'SAP token response lacks access_token');
  const expiresIn = Number(res.body['expires_in']);
  return { value: token, expiresInMs: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : undefined };
}
