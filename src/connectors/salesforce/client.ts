/**
 * The Salesforce connector's one door to HTTP: signs in (token cached, shared by concurrent
 * calls), sends REST and Pub/Sub calls to the org's `instance_url`, refreshes the token once when
 * Salesforce says the session is invalid, and remembers the latest `Sforce-Limit-Info` usage.
 */
import type { Clock } from '../../core/clock.ts';
import { systemClock } from '../../core/clock.ts';
import { InterlockError } from '../../core/errors.ts';
import { HttpTransport } from '../kit/http-transport.ts';
import type { TransportRequest, VendorResponse } from '../kit/http-transport.ts';
import { TokenCache } from '../kit/token-cache.ts';
import { fetchSalesforceSession } from './auth.ts';
import type { SalesforceCredentials, SalesforceSession } from './auth.ts';
import { classifySalesforceError } from './errors.ts';

/** Options of a {@link SalesforceClient}. */
export interface SalesforceOptions {
  /** Where tokens are issued: `https://login.salesforce.com`, `https://test.salesforce.com` or the My Domain URL. */
  loginUrl: string;
  credentials: SalesforceCredentials;
  /** REST API version. @default '61.0' */
  apiVersion?: string;
  /** Pub/Sub endpoint for change events. @default the instance URL (the sandbox's HTTP projection) */
  pubSubUrl?: string;
  /** Per-call timeout in ms. @default 15000 */
  timeoutMs?: number;
  /** Private hosts the SSRF guard lets through (tests: `['127.0.0.1']`). */
  allow?: readonly string[];
  clock?: Clock;
}

/** Daily API usage as the last answer's `Sforce-Limit-Info` said. */
export interface ApiUsage {
  used: number;
  max: number;
}

/** A REST call; `path` is relative to `/services/data/vXX.X/` unless it starts with `/`. */
export type SalesforceRequest = TransportRequest;

/** An authenticated Salesforce org. */
export class SalesforceClient {
  readonly #o: SalesforceOptions;
  readonly #login: HttpTransport;
  readonly #tokens: TokenCache<SalesforceSession>;
  // One transport per instance URL the tokens name (it changes only when an org migrates).
  readonly #api = new Map<string, HttpTransport>();
  #usage: ApiUsage | undefined;

  constructor(options: SalesforceOptions) {
    this.#o = options;
    this.#login = this.#transport(options.loginUrl);
    this.#tokens = new TokenCache(() => fetchSalesforceSession(this.#login, options.credentials, this.#clock), this.#clock);
  }

  get #clock(): Clock {
    return this.#o.clock ?? systemClock;
  }

  /** The REST API version calls use, e.g. `61.0`. */
  get apiVersion(): string {
    return this.#o.apiVersion ?? '61.0';
  }

  /** The latest daily API usage Salesforce reported, if any call has been answered yet. */
  get apiUsage(): ApiUsage | undefined {
    return this.#usage;
  }

  /** Performs a REST call with the session's token. */
  async rest<T = unknown>(req: SalesforceRequest): Promise<VendorResponse<T>> {
    const path = req.path.startsWith('/') ? req.path : `/services/data/v${this.apiVersion}/${req.path}`;
    return this.#authorized(async (session) => {
      const headers = { ...req.headers, authorization: `Bearer ${session.accessToken}` };
      // Usage is noted by the transport's rateLimitRemaining, on every answer.
      return this.#apiTransport(session.instanceUrl).call<T>({ ...req, path, headers });
    });
  }

  /** Calls a Pub/Sub RPC (`Fetch`, `GetTopic`) of the HTTP projection, authenticated by gRPC metadata headers. */
  async pubSub<T = unknown>(rpc: string, body: unknown, timeoutMs?: number): Promise<T> {
    return this.#authorized(async (session) => {
      const transport = this.#apiTransport(this.#o.pubSubUrl ?? session.instanceUrl);
      const headers = { accesstoken: session.accessToken, instanceurl: session.instanceUrl, tenantid: session.orgId };
      const res = await transport.call<T>({ method: 'POST', path: `/eventbus.v1.PubSub/${rpc}`, json: body, headers, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
      return res.body;
    });
  }

  /** Forgets the current token, as if Salesforce had refused it. */
  invalidateToken(): void {
    this.#tokens.invalidate();
  }

  /** Releases connections. */
  async close(): Promise<void> {
    await Promise.all([this.#login.close(), ...[...this.#api.values()].map((t) => t.close())]);
  }

  async #authorized<T>(call: (session: SalesforceSession) => Promise<T>): Promise<T> {
    // A failing sign-in is thrown as it is: retrying it would not help.
    const session = await this.#tokens.get();
    try {
      return await call(session);
    } catch (err) {
      // An expired or revoked session: one fresh token and one more try; a second refusal stands.
      if (!(err instanceof InterlockError) || err.code !== 'auth' || err.details?.['status'] !== 401) throw err;
      this.#tokens.invalidate();
      return call(await this.#tokens.get());
    }
  }

  #apiTransport(url: string): HttpTransport {
    let transport = this.#api.get(url);
    if (transport === undefined) {
      transport = this.#transport(url);
      this.#api.set(url, transport);
    }
    return transport;
  }

  #transport(baseUrl: string): HttpTransport {
    return new HttpTransport({
      vendor: 'salesforce',
      baseUrl,
      ...(this.#o.timeoutMs === undefined ? {} : { timeoutMs: this.#o.timeoutMs }),
      ...(this.#o.allow === undefined ? {} : { allow: this.#o.allow }),
      classify: classifySalesforceError,
      // Called for every answer, failures included: the one place the usage header is read.
      rateLimitRemaining: (headers) => {
        const header = headers['sforce-limit-info'];
        const usage = parseLimitInfo(Array.isArray(header) ? header[0] : header);
        if (usage === undefined) return undefined;
        this.#usage = usage;
        return usage.max - usage.used;
      },
    });
  }
}

/** Parses `Sforce-Limit-Info: api-usage=N/M[; api-bursts=…]`. */
export function parseLimitInfo(header: string | undefined): ApiUsage | undefined {
  const match = /api-usage=(\d+)\/(\d+)/.exec(header ?? '');
  return match?.[1] === undefined || match[2] === undefined ? undefined : { used: Number(match[1]), max: Number(match[2]) };
}
