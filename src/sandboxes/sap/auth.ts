/**
 * Who may call: the communication user by Basic auth, or a bearer token from the OAuth 2.0
 * client-credentials endpoint `POST /sap/bc/sec/oauth2/token` (client id and secret by Basic
 * auth or in the form). Anything else is `401` with a `WWW-Authenticate: Basic` challenge.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { FaultController } from '../kit/index.ts';
import type { SapSandboxConfig } from './config.ts';
import { SapError } from './errors.ts';

/** Path of the token endpoint. */
export const SAP_TOKEN_PATH = '/sap/bc/sec/oauth2/token';

/** Issued bearer tokens. */
export class SapTokens {
  readonly #expiry = new Map<string, number>();
  // The last accepted Basic header, so the common case costs one string comparison.
  #acceptedBasic = '';

  readonly config: SapSandboxConfig;

  constructor(config: SapSandboxConfig) {
    this.config = config;
  }

  /** Issues a token valid for `ttlSeconds`. */
  issue(ttlSeconds: number): string {
    const token = randomBytes(24).toString('base64url');
    this.#expiry.set(token, Date.now() + ttlSeconds * 1000);
    return token;
  }

  /** The user behind an Authorization header; throws 401. */
  user(authorization: string | undefined): string {
    if (authorization !== undefined && authorization === this.#acceptedBasic) return this.config.username;
    const [scheme, value] = (authorization ?? '').split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'basic' && value !== undefined) {
      const [user, password] = splitCredentials(value);
      if (user === this.config.username && password === this.config.password) {
        this.#acceptedBasic = authorization ?? '';
        return user;
      }
    }
    if (scheme?.toLowerCase() === 'bearer' && value !== undefined) {
      const expiry = this.#expiry.get(value);
      if (expiry !== undefined && expiry > Date.now()) return this.config.clientId;
      this.#expiry.delete(value);
    }
    throw unauthorized(this.config.sapClient);
  }
}

function splitCredentials(base64: string): [string, string] {
  const text = Buffer.from(base64, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? [text, ''] : [text.slice(0, colon), text.slice(colon + 1)];
}

function unauthorized(sapClient: string): SapError {
  return new SapError(401, 'UNAUTHORIZED', 'Logon failed: user or password wrong, or token invalid or expired', {
    headers: { 'www-authenticate': `Basic realm="SAP NetWeaver Application Server [S4H/${sapClient}]"` },
  });
}

/** Registers the OAuth token endpoint. */
export function registerTokenRoute(app: FastifyInstance, config: SapSandboxConfig, tokens: SapTokens, faults: FaultController): void {
  app.post(SAP_TOKEN_PATH, async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, unknown>;
    let [id, secret] = [form['client_id'], form['client_secret']];
    const header = request.headers.authorization;
    if (header?.toLowerCase().startsWith('basic ')) [id, secret] = splitCredentials(header.slice(6).trim());
    if (form['grant_type'] !== 'client_credentials') return reply.code(400).send({ error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
    if (id !== config.clientId || secret !== config.clientSecret) return reply.code(401).send({ error: 'invalid_client', error_description: 'Bad client credentials' });
    const ttl = faults.get().tokenTtlSeconds ?? config.tokenSeconds;
    return reply.send({ access_token: tokens.issue(ttl), token_type: 'bearer', expires_in: ttl, scope: 'API_SALES_ORDER_SRV_0001 API_BUSINESS_PARTNER_0001' });
  });
}
