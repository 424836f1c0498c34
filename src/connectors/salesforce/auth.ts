/**
 * Salesforce sign-in for server-to-server integrations: OAuth 2.0 client credentials (the
 * connected app's "run as" user) or the JWT bearer flow (an RS256 assertion signed with the
 * connected app's certificate key). Either answers an access token and the `instance_url` that
 * every API call must go to.
 */
import { createPrivateKey, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { InterlockError } from '../../core/errors.ts';
import type { IssuedToken } from '../kit/token-cache.ts';
import type { HttpTransport } from '../kit/http-transport.ts';

/** Client-credentials grant: the connected app's consumer key and secret. */
export interface SalesforceClientCredentials {
  kind: 'client-credentials';
  clientId: string;
  clientSecret: string;
}

/** JWT bearer grant: consumer key, the integration user and the certificate's private key. */
export interface SalesforceJwtCredentials {
  kind: 'jwt-bearer';
  /** Consumer key (`iss`). */
  clientId: string;
  /** Username of the integration user (`sub`). */
  username: string;
  /** PEM of the RSA private key whose certificate the connected app holds. */
  privateKey: string | KeyObject;
  /**
   * `aud`: `https://login.salesforce.com`, `https://test.salesforce.com` or a community URL.
   * @default test.salesforce.com for sandbox orgs (login URL on test.salesforce.com or `*.sandbox.my.salesforce.com`), else login.salesforce.com
   */
  audience?: string;
}

/** How the connector signs in. */
export type SalesforceCredentials = SalesforceClientCredentials | SalesforceJwtCredentials;

/** What a token grants: the token itself and where the org's API lives. */
export interface SalesforceSession {
  accessToken: string;
  /** Base URL of the org's API (`instance_url`). */
  instanceUrl: string;
  /** Org id from the identity URL (`…/id/<orgId>/<userId>`), for Pub/Sub's `tenantid`; '' if absent. */
  orgId: string;
}

/** Lifetime of the assertion; Salesforce wants it short (minutes). */
const ASSERTION_SECONDS = 180;

/** Builds the RS256-signed JWT bearer assertion. */
export function buildJwtAssertion(credentials: SalesforceJwtCredentials, audience: string, nowMs: number): string {
  const header = { alg: 'RS256', typ: 'JWT' };
  const claims = { iss: credentials.clientId, sub: credentials.username, aud: audience, exp: Math.floor(nowMs / 1000) + ASSERTION_SECONDS };
  const input = `${base64url(header)}.${base64url(claims)}`;
  const key = typeof credentials.privateKey === 'string' ? createPrivateKey(credentials.privateKey) : credentials.privateKey;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/**
 * Asks the token endpoint of `login` (the login or My Domain host) for a session. Salesforce's
 * token answers carry no lifetime, so the cache keeps the token until the API refuses it.
 */
export async function fetchSalesforceSession(
  login: HttpTransport,
  credentials: SalesforceCredentials,
  clock: Clock,
): Promise<IssuedToken<SalesforceSession>> {
  const form: Record<string, string> =
    credentials.kind === 'client-credentials'
      ? { grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret }
      : {
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion: buildJwtAssertion(credentials, credentials.audience ?? defaultAudience(login.baseUrl), clock.now()),
        };
  const res = await login.call<Record<string, unknown>>({ method: 'POST', path: '/services/oauth2/token', form, idempotent: true });
  const body = res.body;
  const accessToken = body['access_token'];
  const instanceUrl = body['instance_url'];
  if (typeof accessToken !== 'string' || typeof instanceUrl !== 'string') {
    throw new InterlockError('unexpected', 'Salesforce token response lacks access_token or instance_url');
  }
  const orgId = typeof body['id'] === 'string' ? (/\/id\/([^/]+)\//.exec(body['id'])?.[1] ?? '') : '';
  return { value: { accessToken, instanceUrl, orgId }, expiresInMs: undefined };
}

/** The audience Salesforce expects for a login host: its sandbox or its production login. */
export function defaultAudience(loginUrl: string): string {
  const host = new URL(loginUrl).hostname;
  return /(^|\.)test\.salesforce\.com$|\.sandbox\.my\.salesforce\.com$/.test(host) ? 'https://test.salesforce.com' : 'https://login.salesforce.com';
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
