/**
 * Sign-in for Dataverse: the Microsoft identity platform's client-credentials grant
 * (`POST {loginUrl}/{tenantId}/oauth2/v2.0/token`, scope `<environment URL>/.default`). The app
 * must be an application user of the environment. The answer's `expires_in` sets how long the
 * token is cached.
 */
import { InterlockError } from '../../core/errors.ts';
import type { HttpTransport } from '../kit/http-transport.ts';
import type { IssuedToken } from '../kit/token-cache.ts';

/** The app registration's credentials. */
export interface DynamicsCredentials {
  /** Directory (tenant) id or verified domain. */
  tenantId: string;
  /** Application (client) id. */
  clientId: string;
  clientSecret: string;
}

/** Asks the identity platform for an access token to `environmentUrl`. */
export async function fetchDynamicsToken(login: HttpTransport, credentials: DynamicsCredentials, environmentUrl: string): Promise<IssuedToken<string>> {
  const res = await login.call<Record<string, unknown>>({
    method: 'POST',
    path: `/${encodeURIComponent(credentials.tenantId)}/oauth2/v2.0/token`,
    form: { grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret, scope: `${environmentUrl.replace(/\/$/, '')}/.default` },
    idempotent: true,
  });
  const token = res.body['access_token'];
  if (typeof token !== 'string') throw new InterlockError('unexpected', 'Dynamics 365 token response lacks access_token', { details: { vendor: 'dynamics' } });
  const expiresIn = res.body['expires_in'];
  return { value: token, expiresInMs: typeof expiresIn === 'number' ? expiresIn * 1000 : undefined };
}
