/**
 * Sign-in as Dataverse expects it: the Microsoft identity platform's client-credentials grant at
 * `POST /{tenant}/oauth2/v2.0/token` (served by the sandbox itself), with `scope` =
 * `<environment URL>/.default`. Answers `{token_type, expires_in, ext_expires_in, access_token}`
 * or the identity platform's error body (`error`, `error_description` with an AADSTS code,
 * `error_codes`, `timestamp`, `trace_id`, `correlation_id`). An API call without a live token
 * gets 401 with a `WWW-Authenticate: Bearer authorization_uri=…` challenge.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { FaultController } from '../kit/index.ts';

/** The app registration and environment the sandbox accepts. */
export interface DynamicsAuthConfig {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Environment URL also accepted as the scope's resource, e.g. `https://interlock-demo.crm4.dynamics.com`. */
  environmentUrl: string;
  /** Token lifetime when the kit's `tokenTtlSeconds` is unset. */
  tokenSeconds: number;
}

/** A failed sign-in in the identity platform's shape. */
export class IdentityError extends Error {
  readonly status: number;
  readonly error: string;
  readonly aadsts: number;

  constructor(status: number, error: string, aadsts: number, description: string) {
    super(`AADSTS${aadsts}: ${description}`);
    this.name = 'IdentityError';
    this.status = status;
    this.error = error;
    this.aadsts = aadsts;
  }

  /** The response body. */
  toBody(): Record<string, unknown> {
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    return {
      error: this.error,
      error_description: `${this.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [this.aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
    };
  }
}

/** Issued access tokens and their expiry. */
export class AccessTokens {
  readonly #expiry = new Map<string, number>();

  /** Issues a token valid for `seconds`. */
  issue(seconds: number): string {
    // Shaped like a JWT (three base64url parts) so clients that peek at it are not surprised.
    const token = ['eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9', randomBytes(48).toString('base64url'), randomBytes(32).toString('base64url')].join('.');
    this.#expiry.set(token, Date.now() + seconds * 1000);
    return token;
  }

  /** Whether an `Authorization` header carries a live token. */
  valid(authorization: string | undefined): boolean {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const expiry = token === undefined ? undefined : this.#expiry.get(token);
    return expiry !== undefined && expiry > Date.now();
  }
}

/** Registers the token endpoint. */
export function registerTokenRoute(app: FastifyInstance, config: DynamicsAuthConfig, tokens: AccessTokens, faults: FaultController, url: () => string): void {
  app.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/token', async (request, reply) => {
    const form = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, string | undefined>;
    if (request.params.tenant !== config.tenantId) {
      throw new IdentityError(400, 'invalid_tenant', 90002, `Tenant '${request.params.tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    if (form['grant_type'] !== 'client_credentials') throw new IdentityError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    if (form['client_id'] !== config.clientId) {
      throw new IdentityError(400, 'unauthorized_client', 700016, `Application with identifier '${form['client_id'] ?? ''}' was not found in the directory.`);
    }
    if (form['client_secret'] !== config.clientSecret) throw new IdentityError(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    const scope = form['scope'] ?? '';
    const resources = [url(), config.environmentUrl].map((u) => `${u.replace(/\/$/, '')}/.default`);
    if (!resources.includes(scope.replace(/\/\/\.default$/, '/.default'))) {
      throw new IdentityError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
    }
    const seconds = faults.get().tokenTtlSeconds ?? config.tokenSeconds;
    return reply.send({ token_type: 'Bearer', expires_in: seconds, ext_expires_in: seconds, access_token: tokens.issue(seconds) });
  });
}
