/**
 * The Dynamics 365 connector's one door to HTTP: signs in through the identity platform (token
 * cached until shortly before `expires_in`, shared by concurrent calls), sends Web API calls with
 * the OData headers to `<environment>/api/data/v9.2/`, fetches a fresh token once when Dataverse
 * answers 401, and translates failures — OData error bodies, the service-protection 429 with its
 * `Retry-After` — into the error taxonomy at the transport.
 */
import type { Clock } from '../../core/clock.ts';
import { systemClock } from '../../core/clock.ts';
import { InterlockError } from '../../core/errors.ts';
import { HttpTransport } from '../kit/http-transport.ts';
import type { TransportRequest, VendorResponse } from '../kit/http-transport.ts';
import { TokenCache } from '../kit/token-cache.ts';
import { fetchDynamicsToken, type DynamicsCredentials } from './auth.ts';
import { classifyDynamicsError } from './errors.ts';

/** Options of a {@link DynamicsClient}. */
export interface DynamicsOptions {
  /** The environment, e.g. `https://contoso.crm4.dynamics.com`. */
  environmentUrl: string;
  credentials: DynamicsCredentials;
  /** The identity platform's host. @default 'https://login.microsoftonline.com' */
  loginUrl?: string;
  /** Web API version. @default '9.2' */
  apiVersion?: string;
  /** Per-call timeout in ms. @default 15000 */
  timeoutMs?: number;
  /** Private hosts the SSRF guard lets through (tests: `['127.0.0.1']`). */
  allow?: readonly string[];
  clock?: Clock;
}

/** A Web API call; `path` is relative to `/api/data/v9.2/` unless it is absolute (a nextLink). */
export type DynamicsRequest = TransportRequest;

const ODATA_HEADERS = { 'odata-maxversion': '4.0', 'odata-version': '4.0', accept: 'application/json' };

/** An authenticated Dataverse environment. */
export class DynamicsClient {
  readonly #o: DynamicsOptions;
  readonly #login: HttpTransport;
  readonly #api: HttpTransport;
  readonly #tokens: TokenCache<string>;

  constructor(options: DynamicsOptions) {
    this.#o = options;
    const clock = options.clock ?? systemClock;
    this.#login = this.#transport(options.loginUrl ?? 'https://login.microsoftonline.com');
    this.#api = this.#transport(options.environmentUrl);
    this.#tokens = new TokenCache(() => fetchDynamicsToken(this.#login, options.credentials, options.environmentUrl), clock);
  }

  /** The Web API version calls use, e.g. `9.2`. */
  get apiVersion(): string {
    return this.#o.apiVersion ?? '9.2';
  }

  /** Performs a Web API call with the current token; a 401 gets one fresh token and one more try. */
  async api<T = unknown>(req: DynamicsRequest): Promise<VendorResponse<T>> {
    const path = /^https?:\/\//.test(req.path) || req.path.startsWith('/') ? req.path : `/api/data/v${this.apiVersion}/${req.path}`;
    const send = async (token: string): Promise<VendorResponse<T>> =>
      this.#api.call<T>({ ...req, path, headers: { ...ODATA_HEADERS, ...req.headers, authorization: `Bearer ${token}` } });
    const token = await this.#tokens.get();
    try {
      return await send(token);
    } catch (err) {
      if (!(err instanceof InterlockError) || err.code !== 'auth' || err.details?.['status'] !== 401) throw err;
      this.#tokens.invalidate();
      return send(await this.#tokens.get());
    }
  }

  /** Forgets the current token, as if Dataverse had refused it. */
  invalidateToken(): void {
    this.#tokens.invalidate();
  }

  /** Releases connections. */
  async close(): Promise<void> {
    await Promise.all([this.#login.close(), this.#api.close()]);
  }

  #transport(baseUrl: string): HttpTransport {
    return new HttpTransport({
      vendor: 'dynamics',
      baseUrl,
      ...(this.#o.timeoutMs === undefined ? {} : { timeoutMs: this.#o.timeoutMs }),
      ...(this.#o.allow === undefined ? {} : { allow: this.#o.allow }),
      classify: classifyDynamicsError,
    });
  }
}

/** The id in an `OData-EntityId` header (`…/accounts(<guid>)`), if any. */
export function entityIdOf(res: VendorResponse): string | undefined {
  const header = res.headers['odata-entityid'];
  const value = Array.isArray(header) ? header[0] : header;
  return /\(([0-9a-fA-F-]{36})\)$/.exec(value ?? '')?.[1]?.toLowerCase();
}
