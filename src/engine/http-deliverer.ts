/**
 * Delivers messages to HTTP destinations over kept-alive connections, sending the message's
 * idempotency key as `Idempotency-Key`, and classifies the answer: 2xx delivered; 429
 * rate-limited (with `Retry-After`); 408, 425 and 5xx retryable; any other status permanent;
 * connection errors and timeouts retryable. Every connection passes the SSRF guard; a refused
 * address is a permanent failure (it will not become allowed by retrying).
 *
 * Redirects are not followed: a 3xx is a permanent failure naming its status, for an operator
 * to fix the destination's URL. Followed, a 301 or 302 turns the POST into a GET without the
 * payload, whose 2xx would have marked the message delivered although nothing was.
 *
 * Delivery is the engine's hottest outbound path, so what depends only on the destination (its
 * origin and path, its fixed headers as undici's flat header array) is worked out once, and each
 * call goes straight to the dispatcher: no URL parsing and no header-object merging per message.
 * Each attempt is undici's own kind of handler (no request promise, body stream, abort signal or
 * timer of its own), and one timer keeps the deadlines of all attempts in flight.
 */
import type { Dispatcher } from 'undici';
import type { DestinationConfig } from '../core/config.ts';
import { AddressPolicy } from '../security/address-policy.ts';
import { createGuardedDispatcher } from '../security/ssrf-agent.ts';
import { parseRetryAfter } from './backoff.ts';
import { outcomeFromError, type Deliverer, type DeliveryOutcome, type DeliveryRequest } from './delivery.ts';

const RESPONSE_KEPT = 2048;
const UTF8 = new TextDecoder();

/** Header names the deliverer sets on every request itself (they override a destination's). */
const OWN_HEADERS = new Set(['idempotency-key', 'x-interlock-attempt']);

/** What one destination's requests share, worked out once. */
interface Target {
  config: DestinationConfig;
  origin: string;
  path: string;
  method: Dispatcher.HttpMethod;
  /** `content-type` and the destination's headers, flat (`[name, value, …]`), lower-case names. */
  headers: readonly string[];
  /** The names in {@link headers}: a message header with one of them replaces it. */
  names: ReadonlySet<string>;
}

/** HTTP delivery for the configured destinations. */
export class HttpDeliverer implements Deliverer {
  readonly #targets = new Map<string, Target>();
  readonly #agent: Dispatcher;
  readonly #deadlines = new Deadlines();

  /**
   * @param allow what the SSRF guard lets through although not a public address (config
   *   `outbound.allow`): destination URLs are configurable, so every connection is checked.
   */
  constructor(destinations: Readonly<Record<string, DestinationConfig>>, allow: readonly string[] = []) {
    for (const [name, config] of Object.entries(destinations)) this.#targets.set(name, target(config));
    this.#agent = createGuardedDispatcher(new AddressPolicy(allow), { maxRedirections: 0 });
  }

  deliver(req: DeliveryRequest): Promise<DeliveryOutcome> {
    const t = this.#targets.get(req.destination);
    if (t === undefined) {
      return Promise.resolve({ ok: false, failure: 'permanent', reason: `destination "${req.destination}" is not configured` });
    }
    const timeoutMs = t.config.timeoutMs;
    return new Promise((resolve) => {
      const attempt = new Attempt(resolve, timeoutMs, this.#deadlines);
      this.#agent.dispatch(
        // The attempt's deadline (see Deadlines) bounds it all, connecting and waiting included.
        { origin: t.origin, path: t.path, method: t.method, headers: headersFor(t, req), body: req.payload },
        attempt,
      );
    });
  }

  async close(): Promise<void> {
    // The agent lets attempts in flight finish first: their deadlines must still stop them.
    await this.#agent.close();
    this.#deadlines.clear();
  }
}

/**
 * One attempt, as undici's own handler: no promise, body stream or abort signal of the request
 * API per delivery, and nothing of a 2xx answer read beyond undici's parser. The answer of a
 * failure is kept (its first {@link RESPONSE_KEPT} characters) for the dead letter.
 */
class Attempt implements Dispatcher.DispatchHandler {
  /** When the attempt is over without an answer: `performance.now()` ms. */
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly #resolve: (outcome: DeliveryOutcome) => void;
  readonly #deadlines: Deadlines;
  #abort: ((err?: Error) => void) | undefined;
  #settled = false;
  #status = 0;
  #retryAfter: string | undefined;
  #chunks: Buffer[] | undefined;
  #kept = 0;

  constructor(resolve: (outcome: DeliveryOutcome) => void, timeoutMs: number, deadlines: Deadlines) {
    this.#resolve = resolve;
    this.timeoutMs = timeoutMs;
    this.deadline = performance.now() + timeoutMs;
    this.#deadlines = deadlines;
    deadlines.add(this);
  }

  onConnect(abort: (err?: Error) => void): void {
    // Timed out while waiting for its connection: stop it before it is sent.
    if (this.#settled) abort(timeoutError(this.timeoutMs));
    else this.#abort = abort;
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    this.#status = status;
    if (status < 200 || status >= 300) {
      this.#chunks = [];
      for (let i = 0; i < rawHeaders.length; i += 2) {
        // Names are compared as bytes' text; the first Retry-After counts, as `headers[...][0]` did.
        if (rawHeaders[i]!.length === 11 && rawHeaders[i]!.toString('latin1').toLowerCase() === 'retry-after') {
          this.#retryAfter = rawHeaders[i + 1]!.toString('latin1');
          break;
        }
      }
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    // A failure's answer is kept up to what can hold RESPONSE_KEPT characters (4 bytes each at most).
    if (this.#chunks !== undefined && this.#kept < RESPONSE_KEPT * 4) {
      this.#chunks.push(chunk);
      this.#kept += chunk.length;
    }
    return true;
  }

  onComplete(): void {
    const status = this.#status;
    if (status >= 200 && status < 300) return this.#settle({ ok: true, status });
    const response = UTF8.decode(Buffer.concat(this.#chunks ?? [])).slice(0, RESPONSE_KEPT);
    const retryAfterMs = parseRetryAfter(this.#retryAfter, Date.now());
    const base = { status, response, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    if (status === 429) return this.#settle({ ok: false, failure: 'rate-limited', reason: 'HTTP 429 Too Many Requests', ...base });
    if (status === 408 || status === 425 || status >= 500) {
      return this.#settle({ ok: false, failure: 'retryable', reason: `HTTP ${status}`, ...base });
    }
    this.#settle({ ok: false, failure: 'permanent', reason: `HTTP ${status}`, ...base });
  }

  onError(err: Error): void {
    this.#settle(outcomeFromError(err));
  }

  /** The deadline passed: the attempt is a retryable failure, and its exchange is stopped. */
  expire(): void {
    if (this.#settled) return;
    const err = timeoutError(this.timeoutMs);
    this.#settle(outcomeFromError(err));
    this.#abort?.(err);
  }

  #settle(outcome: DeliveryOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#deadlines.delete(this);
    this.#resolve(outcome);
  }
}

function timeoutError(timeoutMs: number): Error {
  return new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError');
}

/**
 * The deadlines of the attempts in flight, kept by one timer instead of one per attempt: it is
 * set for the earliest deadline, and when it fires it stops the overdue attempts and is set again
 * for the earliest of the rest. Attempts mostly end long before their deadline; under load the
 * timer fires about once per timeout and looks at the few dozen attempts in flight.
 */
class Deadlines {
  readonly #inFlight = new Set<Attempt>();
  #timer: NodeJS.Timeout | undefined;
  #at = Number.POSITIVE_INFINITY;

  add(a: Attempt): void {
    this.#inFlight.add(a);
    if (a.deadline < this.#at) this.#arm(a.deadline);
  }

  delete(a: Attempt): void {
    this.#inFlight.delete(a);
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#at = Number.POSITIVE_INFINITY;
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#at = at;
    this.#timer = setTimeout(() => this.#sweep(), Math.max(0, Math.ceil(at - performance.now())));
    // An attempt in flight keeps the process alive by its socket; the timer alone need not, and
    // it may outlive the last attempt by up to a timeout.
    this.#timer.unref();
  }

  #sweep(): void {
    this.#timer = undefined;
    this.#at = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const a of this.#inFlight) {
      if (a.deadline <= now) a.expire();
      else if (a.deadline < next) next = a.deadline;
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
  }
}

function target(config: DestinationConfig): Target {
  const url = new URL(config.url);
  const merged = new Map<string, string>([['content-type', 'application/json']]);
  for (const [k, v] of Object.entries(config.headers ?? {})) {
    const name = k.toLowerCase();
    if (!OWN_HEADERS.has(name)) merged.set(name, v);
  }
  return {
    config,
    origin: url.origin,
    path: url.pathname + url.search,
    method: config.method as Dispatcher.HttpMethod,
    headers: [...merged].flat(),
    names: new Set(merged.keys()),
  };
}

/**
 * The request's headers: the destination's, then the message's (a message header replaces a
 * destination header of the same name), then the deliverer's own.
 */
function headersFor(t: Target, req: DeliveryRequest): string[] {
  const own = t.headers.slice();
  let replaced: Map<string, string> | undefined;
  for (const k in req.headers) {
    const name = k.toLowerCase();
    if (OWN_HEADERS.has(name)) continue;
    const v = req.headers[k]!;
    if (t.names.has(name)) (replaced ??= new Map()).set(name, v);
    else own.push(name, v);
  }
  if (replaced !== undefined) {
    for (let i = 0; i < t.headers.length; i += 2) {
      const v = replaced.get(own[i]!);
      if (v !== undefined) own[i + 1] = v;
    }
  }
  own.push('idempotency-key', req.idempotencyKey, 'x-interlock-attempt', String(req.attempt));
  return own;
}
