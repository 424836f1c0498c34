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
import type { Dispatcher } from 'undici';
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
  /** `scheme://host:port` of the base URL, what undici dispatches on. */
  readonly #origin: string;
  readonly #vendor: string;
  /** `accept` and the transport's own headers, built once (a call copies them only when it adds some). */
  readonly #headers: Record<string, string>;
  readonly #breaker: CircuitBreaker | undefined;
  /** The deadlines of the exchanges in flight, so a close can abort what outlives its grace. */
  readonly #inFlight = new Set<AbortController>();
  #closed = false;

  constructor(options: TransportOptions) {
    this.#o = options;
    this.#base = new URL(options.baseUrl);
    this.#origin = this.#base.origin;
    this.#vendor = options.vendor.toLowerCase();
    this.#headers = { accept: 'application/json', ...options.headers };
    // Vendor APIs do not redirect: no redirect layer on each call (a 3xx is answered as it is).
    this.#dispatcher = createGuardedDispatcher(new AddressPolicy(options.allow ?? []), { connections: options.connections ?? 32, maxRedirections: 0 });
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
    let target: Target;
    try {
      target = this.#target(req);
    } catch (err) {
      this.#breaker?.cancel();
      throw err;
    }
    const vendor = this.#vendor;
    const attributes = { 'http.request.method': req.method, 'url.path': target.pathname, 'server.address': this.#base.hostname, 'interlock.vendor': vendor };
    const started = performance.now();
    // A leaf: the exchange carries the span as `traceparent` itself and starts none below it.
    return inSpan(`${vendor} ${req.method}`, { kind: 'client', attributes, leaf: true }, async (span) => {
      try {
        const res = await this.#call<T>(req, target, traceparentOfSpan(span));
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

  /**
   * Where a call goes. A plain absolute path (what connectors send) is joined as a string; anything
   * else — a relative path, dot segments, characters to escape, a query in the path, an absolute
   * URL — is resolved by `URL`, as before.
   */
  #target(req: TransportRequest): Target {
    let origin = this.#origin;
    let pathname: string;
    let search: string;
    if (PLAIN_PATH.test(req.path)) {
      pathname = req.path;
      search = '';
      if (req.query !== undefined) {
        const params = new URLSearchParams();
        for (const k in req.query) if (req.query[k] !== undefined) params.set(k, String(req.query[k]));
        const query = params.toString();
        if (query !== '') search = `?${query}`;
      }
    } else {
      const url = new URL(req.path, this.#base);
      if (req.query !== undefined) for (const k in req.query) if (req.query[k] !== undefined) url.searchParams.set(k, String(req.query[k]));
      origin = url.origin;
      pathname = url.pathname;
      search = url.search;
    }
    return { origin, pathname, path: pathname + search };
  }

  async #call<T>(req: TransportRequest, target: Target, traceparent: string | undefined): Promise<VendorResponse<T>> {
    const headers: Record<string, string> = req.headers === undefined && traceparent === undefined && req.json === undefined && req.form === undefined ? this.#headers : { ...this.#headers, ...req.headers };
    if (traceparent !== undefined) headers.traceparent = traceparent;
    let body: string | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] ??= 'application/json';
    } else if (req.form !== undefined) {
      const params = new URLSearchParams();
      for (const k in req.form) if (req.form[k] !== undefined) params.append(k, String(req.form[k]));
      body = params.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const timeoutMs = req.timeoutMs ?? this.#o.timeoutMs ?? 15_000;
    const idempotent = req.idempotent ?? (IDEMPOTENT_METHODS.has(req.method) || hasIdempotencyKey(req.headers));
    let response: VendorResponse<T> | undefined;
    for (let attempt = 0; response === undefined; attempt++) {
      // One deadline for the whole exchange, cleared as soon as it is over (`AbortSignal.timeout`
      // would keep a timer per call alive for the full timeout, and build an error when it fires).
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
      this.#inFlight.add(deadline);
      try {
        const res = await exchange(this.#dispatcher, {
          origin: target.origin,
          path: target.path,
          method: req.method,
          headers,
          body,
          // The deadline above bounds the whole exchange: undici's own timers would only add work.
          headersTimeout: 0,
          bodyTimeout: 0,
        }, deadline.signal);
        const type = res.headers['content-type'];
        response = { status: res.status, headers: res.headers, body: parseBody(res.text, typeof type === 'string' ? type : String(type ?? '')) as T };
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
        throw new InterlockError('transient', `${this.#o.vendor} ${req.method} ${target.pathname}: ${e.message}`, { cause: err });
      } finally {
        clearTimeout(timer);
        this.#inFlight.delete(deadline);
      }
    }
    if (response.status < 400) return response;
    throw this.#failure(req, target, response);
  }

  #failure(req: TransportRequest, target: Target, res: VendorResponse): InterlockError {
    const refined = this.#o.classify?.(res);
    const code = refined?.code ?? DEFAULT_CODES.find(([test]) => test(res.status))?.[1] ?? 'unexpected';
    const header = res.headers['retry-after'];
    const retryAfter = Array.isArray(header) ? header[0] : header;
    const retryAfterMs = retryAfter !== undefined && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : undefined;
    const message = refined?.message ?? (typeof res.body === 'string' ? res.body.slice(0, 300) : JSON.stringify(res.body).slice(0, 300));
    return new InterlockError(code, `${this.#o.vendor} ${req.method} ${target.pathname} answered ${res.status}: ${message}`, {
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
    // Aborted through each call's own signal (a call still queued is not one the dispatcher
    // settles at once). undici never settles a close() overtaken by destroy(): not awaited.
    for (const deadline of this.#inFlight) deadline.abort(new Error('the connector was closed'));
    await this.#dispatcher.destroy();
  }
}

/** Where a call goes: the origin undici dispatches on, and the path with its query. */
interface Target {
  origin: string;
  /** The path without the query, for messages and spans. */
  pathname: string;
  path: string;
}

// An absolute path `URL` would leave as it is: no dot segments, nothing to escape, no query or
// fragment, not `//host`.
const PLAIN_PATH = /^\/(?!\/)(?![^]*\/\.)[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;

function hasIdempotencyKey(headers: Readonly<Record<string, string>> | undefined): boolean {
  if (headers === undefined) return false;
  for (const h in headers) if (h.length === 15 && h.toLowerCase() === 'idempotency-key') return true;
  return false;
}

/** An answer as {@link exchange} collects it. */
interface Exchanged {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * One request through `dispatcher`, the answer's body collected into a string. A plain dispatch
 * handler instead of undici's `request()`: no body stream and no URL parsing per call, the
 * costliest parts of the client in q2c's profile. `signal` rejects at once, even while the call
 * waits in the connection queue, and aborts the exchange once it is under way.
 */
function exchange(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal: AbortSignal): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      reject(err);
    };
    const onAbort = (): void => {
      const reason: unknown = signal.reason;
      fail(reason);
      controller?.abort(reason instanceof Error ? reason : new Error(String(reason)));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    dispatcher.dispatch(options, {
      onRequestStart(c) {
        controller = c;
        if (settled) c.abort(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      },
      onResponseStart(_c, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders as Record<string, string | string[] | undefined>;
      },
      onResponseData(_c, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        const text = chunks.length === 0 ? '' : chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
        resolve({ status, headers, text });
      },
      onResponseError(_c, err) {
        fail(err);
      },
    });
  });
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
