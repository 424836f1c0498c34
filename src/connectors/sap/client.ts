/**
 * The SAP connector's one door to HTTP. Signs every call (Basic, or an OAuth token cached for
 * its `expires_in` and fetched anew once on a 401), and speaks SAP Gateway's CSRF protocol: a
 * modifying call first gets a token (`GET` of the service root with `X-CSRF-Token: Fetch`,
 * remembered with its session cookies and shared by concurrent calls) and sends both; when SAP
 * answers `403` + `X-CSRF-Token: Required` (the session expired), it fetches one new token and
 * sends the call once more — safe, because a refused call did nothing.
 */
import type { Clock } from '../../core/clock.ts';
import { systemClock } from '../../core/clock.ts';
import { InterlockError } from '../../core/errors.ts';
import { HttpTransport } from '../kit/http-transport.ts';
import type { TransportRequest, VendorResponse } from '../kit/http-transport.ts';
import { TokenCache } from '../kit/token-cache.ts';
import { basicHeader, fetchSapToken, type SapCredentials } from './auth.ts';
import { classifySapError } from './errors.ts';

/** Options of a {@link SapClient}. */
export interface SapOptions {
  /** The tenant's API host, e.g. `https://my123456-api.s4hana.cloud.sap`. */
  baseUrl: string;
  credentials: SapCredentials;
  /** Per-call timeout in ms. @default 15000 */
  timeoutMs?: number;
  /** Private hosts the SSRF guard lets through (tests: `['127.0.0.1']`). */
  allow?: readonly string[];
  /** Path before the service name. @default '/sap/opu/odata/sap/' */
  servicePrefix?: string;
  clock?: Clock;
}

/** One call to a service. */
export interface SapRequest extends Omit<TransportRequest, 'path'> {
  /** Service name, e.g. `API_SALES_ORDER_SRV` or `API_OUTBOUND_DELIVERY_SRV;v=0002`. */
  service: string;
  /** Path under the service root, e.g. `A_SalesOrder('1')`; or an absolute `__next` URL. */
  path: string;
  /** ETag to send as `If-Match`. */
  ifMatch?: string;
}

interface CsrfSession {
  token: string;
  cookie: string;
}

const MODIFYING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A signed-in communication arrangement. */
export class SapClient {
  readonly #transport: HttpTransport;
  readonly #credentials: SapCredentials;
  readonly #tokens: TokenCache<string> | undefined;
  readonly #prefix: string;
  #csrf: Promise<CsrfSession> | undefined;
  #csrfFetches = 0;

  constructor(options: SapOptions) {
    const clock = options.clock ?? systemClock;
    this.#credentials = options.credentials;
    this.#prefix = options.servicePrefix ?? '/sap/opu/odata/sap/';
    this.#transport = new HttpTransport({
      vendor: 'sap',
      baseUrl: options.baseUrl,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.allow === undefined ? {} : { allow: options.allow }),
      classify: classifySapError,
    });
    const credentials = options.credentials;
    this.#tokens = credentials.kind === 'oauth' ? new TokenCache(() => fetchSapToken(this.#transport, credentials, clock), clock) : undefined;
  }

  /** How many CSRF tokens this client has fetched (for tests and metrics). */
  get csrfFetches(): number {
    return this.#csrfFetches;
  }

  /** Performs a call; throws an InterlockError (taxonomy) on failure. */
  async request<T = unknown>(req: SapRequest): Promise<VendorResponse<T>> {
    const modifying = MODIFYING.has(req.method);
    try {
      return await this.#send<T>(req, modifying ? await this.#session(req.service) : undefined);
    } catch (err) {
      if (!(err instanceof InterlockError) || err.code !== 'auth') throw err;
      if (err.details?.['csrfRequired'] === true) {
        this.#csrf = undefined;
        return this.#send<T>(req, await this.#session(req.service));
      }
      if (err.details?.['status'] !== 401 || this.#tokens === undefined) throw err;
      this.#tokens.invalidate();
      return this.#send<T>(req, modifying ? await this.#session(req.service) : undefined);
    }
  }

  /** Reads `path` of `service` (JSON body). */
  async get<T = unknown>(service: string, path: string, query?: SapRequest['query']): Promise<VendorResponse<T>> {
    return this.request<T>({ method: 'GET', service, path, ...(query === undefined ? {} : { query }) });
  }

  /** Fetches the CSRF token now, so the first write of a latency-budgeted call does not pay for it. */
  async warmUp(service = 'API_SALES_ORDER_SRV'): Promise<void> {
    await this.#session(service);
  }

  /** Forgets the CSRF session, as if it had expired. */
  forgetCsrfToken(): void {
    this.#csrf = undefined;
  }

  /** Releases connections. */
  async close(): Promise<void> {
    await this.#transport.close();
  }

  async #send<T>(req: SapRequest, session: CsrfSession | undefined): Promise<VendorResponse<T>> {
    const { service, ifMatch, ...rest } = req;
    const path = /^https?:\/\//.test(req.path) ? req.path : `${this.#prefix}${service}/${req.path}`;
    const headers: Record<string, string> = { ...req.headers, authorization: await this.#authorization() };
    if (session !== undefined) {
      headers['x-csrf-token'] = session.token;
      if (session.cookie !== '') headers['cookie'] = session.cookie;
    }
    if (ifMatch !== undefined) headers['if-match'] = ifMatch;
    return this.#transport.call<T>({ ...rest, path, headers });
  }

  async #authorization(): Promise<string> {
    const c = this.#credentials;
    if (c.kind === 'basic') return basicHeader(c.username, c.password);
    return `Bearer ${await (this.#tokens as TokenCache<string>).get()}`;
  }

  // One fetch shared by every call waiting for a token; a failed fetch is not remembered. The
  // token belongs to the user's session, not to a service: it is fetched from the root of the
  // service about to be written (one the arrangement surely covers) and used for all.
  #session(service: string): Promise<CsrfSession> {
    if (this.#csrf === undefined) {
      const pending = this.#fetchSession(service);
      this.#csrf = pending;
      pending.catch(() => {
        if (this.#csrf === pending) this.#csrf = undefined;
      });
    }
    return this.#csrf;
  }

  async #fetchSession(service: string): Promise<CsrfSession> {
    this.#csrfFetches += 1;
    const res = await this.#send({ method: 'GET', service, path: '', headers: { 'x-csrf-token': 'Fetch' } }, undefined);
    const token = res.headers['x-csrf-token'];
    const value = Array.isArray(token) ? token[0] : token;
    if (value === undefined || value === '' || value.toLowerCase() === 'required') throw new InterlockError('unexpected', 'SAP answered a CSRF token fetch without a token');
    const setCookie = res.headers['set-cookie'];
    const cookies = (Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie]).map((c) => c.split(';')[0]?.trim() ?? '').filter((c) => c !== '');
    return { token: value, cookie: cookies.join('; ') };
  }
}

/** The ETag of an answer (header, else `__metadata.etag`). */
export function etagOf(res: VendorResponse): string | undefined {
  const header = res.headers['etag'];
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined) return value;
  const meta = (res.body as { d?: { __metadata?: { etag?: unknown } } } | undefined)?.d?.__metadata?.etag;
  return typeof meta === 'string' ? meta : undefined;
}
