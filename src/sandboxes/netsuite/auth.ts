/**
 * OAuth 2.0 client credentials with a JWT client assertion (NetSuite's machine-to-machine flow):
 * `POST /services/rest/auth/oauth2/v1/token`. The assertion must be signed by the configured
 * certificate's key with PS256/384/512 or ES256/384/512, name it in `kid`, carry `iss` = client
 * id, `aud` = the token URL, a `scope` (array or comma-separated) including `rest_webservices`,
 * and expire within an hour of `iat`. API calls then need
 * `Authorization: Bearer <access_token>`; anything else is `401 INVALID_LOGIN`.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { errors as joseErrors, jwtVerify } from 'jose';
import type { FaultController } from '../kit/index.ts';
import type { NetSuiteSandboxConfig } from './config.ts';
import { invalidLogin } from './errors.ts';

/** Path of the token endpoint. */
export const TOKEN_PATH = '/services/rest/auth/oauth2/v1/token';

/** An OAuth failure, answered `{error, error_description}`. */
export class NsOAuthError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** OAuth error code. */
  readonly error: string;

  constructor(status: number, error: string, description: string) {
    super(description);
    this.status = status;
    this.error = error;
  }
}

const ACCEPTED_MAX = 64;

/** Issued access tokens and their expiry. */
export class NsTokens {
  readonly #expiry = new Map<string, number>();
  // Clients send the same Authorization header on every request: the last few accepted headers
  // map straight to their token's expiry, skipping the parse (a regex) on the request path.
  readonly #accepted = new Map<string, number>();

  /** Issues a token for `ttlSeconds`. */
  issue(ttlSeconds: number): string {
    const token = `ns.${randomBytes(32).toString('base64url')}`;
    this.#expiry.set(token, Date.now() + ttlSeconds * 1000);
    return token;
  }

  /** Checks an Authorization header; throws `401 INVALID_LOGIN`. */
  check(authorization: string | undefined): void {
    const header = authorization ?? '';
    const known = this.#accepted.get(header);
    if (known !== undefined && known > Date.now()) return;
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const expiry = token ? this.#expiry.get(token) : undefined;
    if (!token || expiry === undefined || expiry <= Date.now()) {
      if (token) this.#expiry.delete(token);
      this.#accepted.delete(header);
      throw invalidLogin();
    }
    if (this.#accepted.size >= ACCEPTED_MAX) this.#accepted.delete(this.#accepted.keys().next().value as string);
    this.#accepted.set(header, expiry);
  }
}

/** What the token route needs. */
export interface NsAuthDeps {
  /** Settings. */
  readonly config: NetSuiteSandboxConfig;
  /** The key verifying assertions. */
  readonly publicKey: KeyObject;
  /** Token store. */
  readonly tokens: NsTokens;
  /** Live faults (`tokenTtlSeconds`). */
  readonly faults: FaultController;
  /** Base URL. */
  readonly url: () => string;
}

/** Registers the token endpoint. */
export function registerTokenRoute(app: FastifyInstance, deps: NsAuthDeps): void {
  app.post(TOKEN_PATH, async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, unknown>;
    if (form['grant_type'] !== 'client_credentials') throw new NsOAuthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    if (form['client_assertion_type'] !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      throw new NsOAuthError(400, 'invalid_request', 'client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    }
    const assertion = form['client_assertion'];
    if (typeof assertion !== 'string' || assertion === '') throw new NsOAuthError(400, 'invalid_request', 'client_assertion is required');
    await verify(deps, assertion);
    const ttl = deps.faults.get().tokenTtlSeconds ?? deps.config.tokenSeconds;
    return reply.send({ access_token: deps.tokens.issue(ttl), expires_in: String(ttl), token_type: 'Bearer' });
  });
}

async function verify(deps: NsAuthDeps, assertion: string): Promise<void> {
  const audiences = [`${deps.url()}${TOKEN_PATH}`, `https://${deps.config.accountId.toLowerCase().replace(/_/g, '-')}.suitetalk.api.netsuite.com${TOKEN_PATH}`];
  let result;
  try {
    // NetSuite accepts only the PSS and ECDSA families for client assertions (no RS256).
    result = await jwtVerify(assertion, deps.publicKey, { algorithms: ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'], audience: audiences, requiredClaims: ['iss', 'aud', 'iat', 'exp'] });
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw new NsOAuthError(400, 'invalid_grant', 'The JWT assertion has expired.');
    if (err instanceof joseErrors.JWTClaimValidationFailed) throw new NsOAuthError(400, 'invalid_grant', `The JWT claim ${err.claim} is invalid.`);
    throw new NsOAuthError(401, 'invalid_client', 'The client assertion signature could not be verified.');
  }
  const { payload, protectedHeader } = result;
  if (protectedHeader.kid !== deps.config.certificateId) throw new NsOAuthError(401, 'invalid_client', 'Unknown certificate id (kid).');
  if (payload.iss !== deps.config.clientId) throw new NsOAuthError(401, 'invalid_client', 'Unknown client id (iss).');
  const scope = payload['scope'];
  const scopes = Array.isArray(scope) ? scope : typeof scope === 'string' ? scope.split(/[\s,]+/) : [];
  if (!scopes.includes('rest_webservices')) throw new NsOAuthError(400, 'invalid_scope', 'The scope must include rest_webservices.');
  if ((payload.exp ?? 0) - (payload.iat ?? 0) > 3600) throw new NsOAuthError(400, 'invalid_grant', 'The JWT must expire within 3600 seconds of iat.');
}

/** Turns a PEM into a key object. */
export function publicKeyFrom(pem: string): KeyObject {
  return createPublicKey(pem);
}
