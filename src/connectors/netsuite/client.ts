/**
 * The NetSuite connector's one door to HTTP: signs in by M2M client credentials (token cached
 * for its `expires_in`, shared by concurrent calls), sends REST record and SuiteQL calls, and on
 * `401 INVALID_LOGIN` fetches one new token and tries once more.
 */
import type { Clock } from '../../core/clock.ts';
import { systemClock } from '../../core/clock.ts';
import { InterlockError } from '../../core/errors.ts';
import { HttpTransport } from '../kit/http-transport.ts';
import type { TransportRequest, VendorResponse } from '../kit/http-transport.ts';
import { TokenCache } from '../kit/token-cache.ts';
import { fetchNetSuiteToken } from './auth.ts';
import type { NetSuiteCredentials } from './auth.ts';
import { classifyNetSuiteError } from './errors.ts';

/** Options of a {@link NetSuiteClient}. */
export interface NetSuiteOptions {
  /** The account's REST host, e.g. `https://1234567.suitetalk.api.netsuite.com`. */
  baseUrl: string;
  credentials: NetSuiteCredentials;
  /** Per-call timeout in ms. @default 15000 */
  timeoutMs?: number;
  /** Private hosts the SSRF guard lets through (tests: `['127.0.0.1']`). */
  allow?: readonly string[];
  /**
   * Requests in flight at once: NetSuite's account-wide concurrency limit (shared by every
   * integration of the account), beyond which it answers 429; more calls wait their turn here.
   * @default 5 (the smallest tier's limit)
   */
  concurrency?: number;
  /** Refresh a token this long before NetSuite says it expires. @default 60000 */
  tokenRefreshMarginMs?: number;
  clock?: Clock;
}

/** A REST call; `path` is relative to `/services/rest/` unless it starts with `/`. */
export type NetSuiteRequest = TransportRequest;

/** An authenticated NetSuite account. */
export class NetSuiteClient {
  readonly #transport: HttpTransport;
  readonly #tokens: TokenCache<string>;

  constructor(options: NetSuiteOptions) {
    const clock = options.clock ?? systemClock;
    this.#transport = new HttpTransport({
      vendor: 'netsuite',
      baseUrl: options.baseUrl,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.allow === undefined ? {} : { allow: options.allow }),
      classify: classifyNetSuiteError,
      connections: options.concurrency ?? 5,
    });
    this.#tokens = new TokenCache(() => fetchNetSuiteToken(this.#transport, options.credentials, clock), clock, options.tokenRefreshMarginMs ?? 60_000);
  }

  /** Performs a REST call with the current token. */
  async rest<T = unknown>(req: NetSuiteRequest): Promise<VendorResponse<T>> {
    const path = req.path.startsWith('/') ? req.path : `/services/rest/${req.path}`;
    const send = (token: string): Promise<VendorResponse<T>> =>
      this.#transport.call<T>({ ...req, path, headers: { ...req.headers, authorization: `Bearer ${token}` } });
    // A failing sign-in is thrown as it is: retrying it would not help.
    const token = await this.#tokens.get();
    try {
      return await send(token);
    } catch (err) {
      // A token NetSuite no longer takes: one fresh token and one more try; a second refusal stands.
      if (!(err instanceof InterlockError) || err.code !== 'auth' || err.details?.['status'] !== 401) throw err;
      this.#tokens.invalidate();
      return send(await this.#tokens.get());
    }
  }

  /** Releases connections. */
  async close(): Promise<void> {
    await this.#transport.close();
  }
}

/** The internal id at the end of a `Location` header (`…/record/v1/customer/647` → `647`). */
export function idFromLocation(res: VendorResponse): string {
  const header = res.headers['location'];
  const location = Array.isArray(header) ? header[0] : header;
  const id = location === undefined ? undefined : /\/([^/?]+)\/?(?:\?.*)?$/.exec(location)?.[1];
  if (id === undefined) throw new InterlockError('unexpected', `NetSuite answered ${res.status} without a Location naming the record`);
  return decodeURIComponent(id);
}
