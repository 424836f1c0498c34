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
 */
import type { Dispatcher } from 'undici';
import type { DestinationConfig } from '../core/config.ts';
import { AddressPolicy } from '../security/address-policy.ts';
import { createGuardedDispatcher } from '../security/ssrf-agent.ts';
import { parseRetryAfter } from './backoff.ts';
import { outcomeFromError, type Deliverer, type DeliveryOutcome, type DeliveryRequest } from './delivery.ts';

const RESPONSE_KEPT = 2048;

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

  /**
   * @param allow what the SSRF guard lets through although not a public address (config
   *   `outbound.allow`): destination URLs are configurable, so every connection is checked.
   */
  constructor(destinations: Readonly<Record<string, DestinationConfig>>, allow: readonly string[] = []) {
    for (const [name, config] of Object.entries(destinations)) this.#targets.set(name, target(config));
    this.#agent = createGuardedDispatcher(new AddressPolicy(allow), { maxRedirections: 0 });
  }

  async deliver(req: DeliveryRequest): Promise<DeliveryOutcome> {
    const t = this.#targets.get(req.destination);
    if (t === undefined) {
      return { ok: false, failure: 'permanent', reason: `destination "${req.destination}" is not configured` };
    }
    const timeoutMs = t.config.timeoutMs;
    // One deadline per attempt, cleared as soon as it is over: `AbortSignal.timeout` kept a timer
    // and a signal per delivery alive for the whole timeout — tens of thousands at full load.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
    try {
      const res = await this.#agent.request({
        origin: t.origin,
        path: t.path,
        method: t.method,
        headers: headersFor(t, req),
        body: req.payload,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: deadline.signal,
      });
      const status = res.statusCode;
      if (status >= 200 && status < 300) {
        // Nothing in a 2xx answer is kept: read it off the socket without decoding it.
        await res.body.dump();
        return { ok: true, status };
      }
      const response = (await res.body.text()).slice(0, RESPONSE_KEPT);
      const header = res.headers['retry-after'];
      const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, Date.now());
      const base = { status, response, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
      if (status === 429) return { ok: false, failure: 'rate-limited', reason: 'HTTP 429 Too Many Requests', ...base };
      if (status === 408 || status === 425 || status >= 500) {
        return { ok: false, failure: 'retryable', reason: `HTTP ${status}`, ...base };
      }
      return { ok: false, failure: 'permanent', reason: `HTTP ${status}`, ...base };
    } catch (err) {
      return outcomeFromError(err);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
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
