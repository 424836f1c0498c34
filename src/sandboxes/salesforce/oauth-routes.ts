/**
 * `POST /services/oauth2/token`: the client-credentials, username-password and JWT-bearer grants,
 * answering Salesforce's token response (`issued_at` in epoch ms as a string, `signature` an
 * HMAC-SHA256 of id + issued_at keyed by the consumer secret) or its `{error, error_description}`.
 */
import { createHmac, createPublicKey } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { errors as joseErrors, jwtVerify } from 'jose';
import type { FaultController } from '../kit/index.ts';
import type { SalesforceSandboxConfig } from './config.ts';
import { OAuthError } from './errors.ts';
import { ORG_ID } from './sessions.ts';
import type { Sessions } from './sessions.ts';
import { INTEGRATION_USER_ID } from './store.ts';

/** What the token route needs. */
export interface OAuthRouteDeps {
  /** Sandbox settings. */
  readonly config: SalesforceSandboxConfig;
  /** Token store. */
  readonly sessions: Sessions;
  /** Live faults (`tokenTtlSeconds`). */
  readonly faults: FaultController;
  /** The sandbox's base URL (instance URL). */
  readonly url: () => string;
}

/** Registers the token endpoint. */
export function registerOAuthRoutes(app: FastifyInstance, deps: OAuthRouteDeps): void {
  app.post('/services/oauth2/token', async (request, reply) => {
    const form = formOf(request.body);
    const basic = basicAuth(request.headers.authorization);
    const grant = form['grant_type'];
    let scope = 'api';
    if (grant === 'client_credentials' || grant === 'password') {
      checkClient(deps.config, form['client_id'] ?? basic?.[0], form['client_secret'] ?? basic?.[1]);
      if (grant === 'password' && (form['username'] !== deps.config.username || form['password'] !== deps.config.password)) {
        throw new OAuthError(400, 'invalid_grant', 'authentication failure');
      }
      scope = 'api full';
    } else if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      await verifyAssertion(deps.config, form['assertion'], deps.url());
    } else {
      throw new OAuthError(400, 'unsupported_grant_type', 'grant type not supported');
    }
    const ttl = deps.faults.get().tokenTtlSeconds ?? deps.config.sessionSeconds;
    const session = deps.sessions.issue(ttl, scope);
    const instanceUrl = deps.url();
    const id = `${instanceUrl}/id/${ORG_ID}/${INTEGRATION_USER_ID}`;
    const issuedAt = String(Date.now());
    const signature = createHmac('sha256', deps.config.clientSecret).update(id + issuedAt).digest('base64');
    return reply.send({
      access_token: session.token,
      signature,
      scope,
      instance_url: instanceUrl,
      ...(grant === 'client_credentials' ? { api_instance_url: instanceUrl } : {}),
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    });
  });
}

function formOf(body: unknown): Record<string, string | undefined> {
  if (body === null || typeof body !== 'object') return {};
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

function basicAuth(header: string | undefined): [string, string] | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : [decodeURIComponent(decoded.slice(0, colon)), decodeURIComponent(decoded.slice(colon + 1))];
}

function checkClient(config: SalesforceSandboxConfig, clientId: string | undefined, secret: string | undefined): void {
  if (clientId !== config.clientId) throw new OAuthError(400, 'invalid_client_id', 'client identifier invalid');
  if (secret !== config.clientSecret) throw new OAuthError(400, 'invalid_client', 'invalid client credentials');
}

async function verifyAssertion(config: SalesforceSandboxConfig, assertion: string | undefined, ownUrl: string): Promise<void> {
  if (!assertion) throw new OAuthError(400, 'invalid_request', 'assertion is required');
  if (!config.jwtPublicKey) throw new OAuthError(400, 'invalid_grant', 'invalid assertion: no certificate is configured for this connected app');
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, createPublicKey(config.jwtPublicKey), {
      algorithms: ['RS256'],
      audience: [...config.jwtAudiences, ownUrl],
      requiredClaims: ['iss', 'sub', 'aud', 'exp'],
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw new OAuthError(400, 'invalid_grant', 'expired authorization code');
    if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'aud') throw new OAuthError(400, 'invalid_grant', 'audience is invalid');
    throw new OAuthError(400, 'invalid_grant', 'invalid assertion');
  }
  if (payload.iss !== config.clientId) throw new OAuthError(400, 'invalid_client_id', 'client identifier invalid');
  if (payload.sub !== config.username) throw new OAuthError(400, 'invalid_grant', 'user hasn\u2019t approved this consumer');
}
