/**
 * NetSuite OAuth 2.0 machine-to-machine sign-in: a client-credentials grant whose client is
 * proven by a JWT assertion signed with the certificate's private key (ES256 or PS256; NetSuite
 * takes no RS256), `kid` naming the certificate id from the M2M setup. No refresh token: a new
 * assertion buys a new access token.
 */
import { constants, createPrivateKey, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { InterlockError } from '../../core/errors.ts';
import type { HttpTransport } from '../kit/http-transport.ts';
import type { IssuedToken } from '../kit/token-cache.ts';

/** The integration's M2M credentials. */
export interface NetSuiteCredentials {
  /** Client id of the integration record (`iss`). */
  clientId: string;
  /** Certificate id from the M2M setup (`kid`). */
  certificateId: string;
  /** PEM (PKCS#8) of the certificate's private key: EC P-256 for ES256, RSA for PS256. */
  privateKey: string | KeyObject;
  /** @default 'ES256' */
  algorithm?: 'ES256' | 'PS256';
  /** @default ['rest_webservices'] */
  scopes?: readonly string[];
}

/** Path of the token endpoint, also the assertion's audience (on the account's host). */
export const TOKEN_PATH = '/services/rest/auth/oauth2/v1/token';

/** How long an assertion is good for; NetSuite allows at most an hour. */
const ASSERTION_SECONDS = 300;

/** Builds the signed client assertion for `audience` (the token URL). */
export function buildClientAssertion(credentials: NetSuiteCredentials, audience: string, nowMs: number): string {
  const algorithm = credentials.algorithm ?? 'ES256';
  const iat = Math.floor(nowMs / 1000);
  const header = { typ: 'JWT', alg: algorithm, kid: credentials.certificateId };
  const claims = { iss: credentials.clientId, scope: credentials.scopes ?? ['rest_webservices'], aud: audience, iat, exp: iat + ASSERTION_SECONDS };
  const input = `${encode(header)}.${encode(claims)}`;
  const key = typeof credentials.privateKey === 'string' ? createPrivateKey(credentials.privateKey) : credentials.privateKey;
  const signature =
    algorithm === 'ES256'
      ? // JWS wants ECDSA signatures as r‖s, not DER.
        sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  return `${input}.${signature.toString('base64url')}`;
}

/** Exchanges a fresh assertion for an access token. */
export async function fetchNetSuiteToken(transport: HttpTransport, credentials: NetSuiteCredentials, clock: Clock): Promise<IssuedToken<string>> {
  const audience = new URL(TOKEN_PATH, transport.baseUrl).toString();
  const res = await transport.call<Record<string, unknown>>({
    method: 'POST',
    path: TOKEN_PATH,
    form: {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: buildClientAssertion(credentials, audience, clock.now()),
    },
  });
  const token = res.body['access_token'];
  if (typeof token !== 'string') throw new InterlockError('unexpected', 'NetSuite token response lacks access_token');
  const expiresIn = Number(res.body['expires_in']);
  return { value: token, expiresInMs: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : undefined };
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
