/**
 * The one HTTP transport every connector does its calls through: kept-alive connections through
 * the SSRF guard, a timeout per call, JSON or form bodies, and every failure translated into the
 * error taxonomy — by default from the status (429 → rate-limited with `Retry-After`, 5xx and
 * network errors → transient, 401/403 → auth, 404 → not-found, 409 → conflict, other 4xx →
 * permanent), refined by the vendor's own `classify` where its error body says more.
 *
 * A circuit breaker per transport (one vendor account) fails calls fast while the vendor is down,
 * and at most `connections` exchanges per origin are in flight (more wait in undici's queue): a
 * vendor's concurrency limit (NetSuite's) is kept instead of answered with 429s, and a burst of
 * runs reuses kept-alive connections instead of opening one each.
 */
import { request, type Dispatcher } from 'undici';
import { InterlockError, toInterlockError, type ErrorCode } from '../../core/errors.ts';
import { recordCircuitState, recordRateLimitRemaining, recordVendorCall } from '../../observability/metrics.ts';
import { inSpan, traceparentOfSpan } from '../../observability/tracing.ts';
import { AddressPolicy } from '../../security/address-policy.ts';
import { createGuardedDispatcher } from '../../security/ssrf-agent.ts';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.ts';

/** A vendor answer, as the transport hands it to `classify` and to callers. */
export interface VendorResponse<T = unknown> {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON when the answer is JSON, else the text ('' for an empty body). */
  body: T;
}

/** One call. */
export interface TransportRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path (and query) relative to the base URL, or an absolute URL on the same host. */
  path: string;
  query?: Readonly<Record<string, string | number | boolean | undefined>>;
  headers?: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as `application/x-www-form-urlencoded` (already flattened, e.g. `items[0][price]`). */
  form?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Overrides the transport's timeout for this call. */
  timeoutMs?: number;
  /**
   * Whether sending the call twice does no more than sending it once, so a connection lost
   * before the answer may be retried at once. @default true for GET, PUT and DELETE and for calls
   * with an `Idempotency-Key` header; PATCH is not idempotent in general (a NetSuite PATCH adds
   * sublist lines), so a connector marks the PATCHes that are
   */
  idempotent?: boolean;
}

/** Options of an {@link HttpTransport}. */
export interface TransportOptions {
  /** Vendor name, used in error messages. */
  vendor: string;
  baseUrl: string;
  /** Per-call timeout. @default 15000 */
  timeoutMs?: number;
  /** Hosts, addresses or CIDRs reachable although private (config `outbound.allow`). */
  allow?: readonly string[];
  /** Headers sent on every call (after auth headers are added by the caller). */
  headers?: Readonly<Record<string, string>>;
  /** Immediate retries of an idempotent call whose connection broke before an answer. @default 2 */
  networkRetries?: number;
  /**
   * Refines the taxonomy for a failed answer from the vendor's error body; return undefined to
   * keep the status-based default.
   */
  classify?: (response: VendorResponse) => { code: ErrorCode; message: string; details?: Record<string, unknown> } | undefined;
  /**
   * Most exchanges in flight at once per origin; more wait their turn (their timeout runs while
   * they wait). Set it to the vendor's concurrency limit where it has one. @default 32
   */
  connections?: number;
  /**
   * The circuit breaker: consecutive vendor failures (5xx, broken or timed-out exchanges) that
   * open it and how long it stays open before a probe; `false` for none.
   * @default { failureThreshold: 10, openMs: 10000 }
   */
  circuit?: { failureThreshold?: number; openMs?: number; now?: () => number } | false;
  /** Reads the vendor's remaining request allowance from an answer (e.g. `Sforce-Limit-Info`), exposed as a gauge. */
  rateLimitRemaining?: (headers: VendorResponse['headers']) => number | undefined;
}

// RFC 9110 §9.2.2: sending these twice has the effect of sending them once.
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'PUT', 'DELETE']);

const DEFAULT_CODES: ReadonlyArray<[(s: number) => boolean, ErrorCode]> = [
  [(s) => s === 429, 'rate-limited'],
  [(s) => s === 408 || s >= 500, 'transient'],
  [(s) => s === 401 || s === 403, 'auth'],
  [(s) => s === 404, 'not-found'],
  [(s) => s === 409, 'conflict'],
  [(s) => s >= 400, 'permanent'],
];

/** Error codes that say the vendor itself failed (what opens the circuit). */
const VENDOR_FAILURES: ReadonlySet<ErrorCode> = new Set(['transient', 'unexpected']);

/** HTTP for one vendor account. */
export class HttpTransport {
  readonly #o: TransportOptions;
  readonly #dispatcher: Dispatcher;
  readonly #base: URL;
  readonly #vendor: string;
  readonly #breaker: CircuitBreaker | undefined;
  /** The deadlines of the exchanges in flight, so a close can abort what outlives its grace. */
  readonly #inFlight = new Set<AbortController>();
  #closed = false;

  constructor(options: TransportOptions) {
    this.#o = options;
    this.#base = new URL(options.baseUrl);
    this.#vendor = options.vendor.toLowerCase();
    this.#dispatcher = createGuardedDispatcher(new AddressPolicy(options.allow ?? []), { connections: options.connections ?? 32 });
    const vendor = this.#vendor;
    this.#breaker =
      options.circuit === false
        ? undefined
        : new CircuitBreaker({ vendor: options.vendor, ...options.circuit, onStateChange: (state) => recordCircuitState(vendor, state) });
    if (this.#breaker !== undefined) recordCircuitState(vendor, 'closed');
  }

  /** The base URL calls are relative to. */
  get baseUrl(): string {
    return this.#base.toString();
  }

  /** The circuit breaker's state ('closed' when there is none). */
  get circuitState(): CircuitState {
    return this.#breaker?.state ?? 'closed';
  }

  /**
   * Performs `req`; resolves for 2xx and 3xx answers, throws an {@link InterlockError} otherwise.
   * Each call is a client span carrying `traceparent` and a latency sample by vendor and outcome.
   */
  async call<T = unknown>(req: TransportRequest): Promise<VendorResponse<T>> {
    // An open circuit fails the call before anything is sent (and before a span is made).
    this.#breaker?.admit();
    let url: URL;
    try {
      url = new URL(req.path, this.#base);
      if (req.query !== undefined) for (const k in req.query) if (req.query[k] !== undefined) url.searchParams.set(k, String(req.query[k]));
    } catch (err) {
      this.#breaker?.cancel();
      throw err;
    }
    const vendor = this.#vendor;
    const attributes = { 'http.request.method': req.method, 'url.path': url.pathname, 'server.address': url.hostname, 'interlock.vendor': vendor };
    const started = performance.now();
    return inSpan(`${vendor} ${req.method}`, { kind: 'client', attributes }, async (span) => {
      try {
        const res = await this.#call<T>(req, url, traceparentOfSpan(span));
        this.#breaker?.success();
        span?.setAttribute('http.response.status_code', res.status);
        recordVendorCall(vendor, 'ok', (performance.now() - started) / 1000);
        return res;
      } catch (err) {
        const e = toInterlockError(err);
        const status = e.details?.status;
        if (VENDOR_FAILURES.has(e.code)) this.#breaker?.failure();
        else if (status === undefined && e.code === 'permanent') this.#breaker?.cancel();
        else this.#breaker?.success();
        if (typeof status === 'number') span?.setAttribute('http.response.status_code', status);
        recordVendorCall(vendor, e.code, (performance.now() - started) / 1000);
        throw err;
      }
    });
  }

  async #call<T>(req: TransportRequest, url: URL, traceparent: string | undefined): Promise<VendorResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.#o.headers, ...req.headers };
    if (traceparent !== undefined) headers.traceparent = traceparent;
    let body: string | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] ??= 'application/json';
    } else if (req.form !== undefined) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(req.form)) if (v !== undefined) params.append(k, String(v));
      body = params.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const timeoutMs = req.timeoutMs ?? this.#o.timeoutMs ?? 15_000;
    const idempotent = req.idempotent ?? (IDEMPOTENT_METHODS.has(req.method) || Object.keys(headers).some((h) => h.toLowerCase() === 'idempotency-key'));
    let response: VendorResponse<T> | undefined;
    for (let attempt = 0; response === undefined; attempt++) {
      // One deadline for the whole exchange, cleared as soon as it is over (`AbortSignal.timeout`
      // would keep a timer per call alive for the full timeout, and build an error when it fires).
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
      this.#inFlight.add(deadline);
      try {
        const res = await request(url, {
          method: req.method,
          headers,
          body,
          dispatcher: this.#dispatcher,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: deadline.signal,
        });
        const text = await res.body.text();
        const type = String(res.headers['content-type'] ?? '');
        response = { status: res.statusCode, headers: res.headers, body: parseBody(text, type) as T };
        if (this.#o.rateLimitRemaining !== undefined) {
          const remaining = this.#o.rateLimitRemaining(res.headers);
          if (remaining !== undefined) recordRateLimitRemaining(this.#vendor, remaining);
        }
      } catch (err) {
        const e = toInterlockError(err);
        // A refused address stays refused; anything else that broke the exchange may pass.
        if (e.code === 'permanent') throw e;
        // A kept-alive connection the other side dropped, or an answer lost in transit: an
        // idempotent call is simply sent again (a timeout is not: the vendor may be struggling).
        const timedOut = (err as Error).name === 'TimeoutError' || /timeout/i.test(e.message);
        if (idempotent && !timedOut && !this.#closed && attempt < (this.#o.networkRetries ?? 2)) {
          await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt * Math.random()));
          continue;
        }
        throw new InterlockError('transient', `${this.#o.vendor} ${req.method} ${url.pathname}: ${e.message}`, { cause: err });
      } finally {
        clearTimeout(timer);
        this.#inFlight.delete(deadline);
      }
    }
    if (response.status < 400) return response;
    throw this.#failure(req, url, response);
  }

  #failure(req: TransportRequest, url: URL, res: VendorResponse): InterlockError {
    const refined = this.#o.classify?.(res);
    const code = refined?.code ?? DEFAULT_CODES.find(([test]) => test(res.status))?.[1] ?? 'unexpected';
    const header = res.headers['retry-after'];
    const retryAfter = Array.isArray(header) ? header[0] : header;
    const retryAfterMs = retryAfter !== undefined && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : undefined;
    const message = refined?.message ?? (typeof res.body === 'string' ? res.body.slice(0, 300) : JSON.stringify(res.body).slice(0, 300));
    return new InterlockError(code, `${this.#o.vendor} ${req.method} ${url.pathname} answered ${res.status}: ${message}`, {
      details: { vendor: this.#o.vendor, status: res.status, ...refined?.details },
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }

  /**
   * Releases connections. Calls still in flight get `graceMs` to finish, then are aborted: a
   * long poll whose consumer has stopped (a CDC fetch waits up to its wait time) must not hold
   * a shutdown for seconds, and whoever made it is no longer waiting for its answer.
   */
  async close(graceMs = 250): Promise<void> {
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    const closed = this.#dispatcher.close();
    closed.catch(() => undefined);
    const late = await Promise.race([closed.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(resolve, graceMs, true)))]);
    clearTimeout(timer);
    if (!late) return;
    // Aborted through each call's own signal: a destroyed composed dispatcher (redirects) leaves
    // its requests unsettled. undici never settles a close() overtaken by destroy(): not awaited.
    for (const deadline of this.#inFlight) deadline.abort(new Error('the connector was closed'));
    await this.#dispatcher.destroy();
  }
}

function parseBody(text: string, contentType: string): unknown {
  if (text === '') return '';
  if (contentType.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
