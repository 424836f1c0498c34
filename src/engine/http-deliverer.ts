/**
 * Delivers messages to HTTP destinations over kept-alive connections, sending the message's
 * idempotency key as `Idempotency-Key`, and classifies the answer: 2xx delivered; 429
 * rate-limited (with `Retry-After`); 408, 425 and 5xx retryable; any other status permanent;
 * connection errors and timeouts retryable. Every connection passes the SSRF guard; a refused
 * address is a permanent failure (it will not become allowed by retrying).
 */
import { request, type Dispatcher } from 'undici';
import type { DestinationConfig } from '../core/config.ts';
import { AddressPolicy } from '../security/address-policy.ts';
import { createGuardedDispatcher } from '../security/ssrf-agent.ts';
import { parseRetryAfter } from './backoff.ts';
import { outcomeFromError, type Deliverer, type DeliveryOutcome, type DeliveryRequest } from './delivery.ts';

const RESPONSE_KEPT = 2048;

/** HTTP delivery for the configured destinations. */
export class HttpDeliverer implements Deliverer {
  readonly #destinations: Readonly<Record<string, DestinationConfig>>;
  readonly #agent: Dispatcher;

  /**
   * @param allow what the SSRF guard lets through although not a public address (config
   *   `outbound.allow`): destination URLs are configurable, so every connection is checked.
   */
  constructor(destinations: Readonly<Record<string, DestinationConfig>>, allow: readonly string[] = []) {
    this.#destinations = destinations;
    this.#agent = createGuardedDispatcher(new AddressPolicy(allow));
  }

  async deliver(req: DeliveryRequest): Promise<DeliveryOutcome> {
    const dest = this.#destinations[req.destination];
    if (dest === undefined) {
      return { ok: false, failure: 'permanent', reason: `destination "${req.destination}" is not configured` };
    }
    // One deadline per attempt, cleared as soon as it is over: `AbortSignal.timeout` kept a timer
    // and a signal per delivery alive for the whole timeout — tens of thousands at full load.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException(`no answer within ${dest.timeoutMs} ms`, 'TimeoutError')), dest.timeoutMs);
    try {
      const res = await request(dest.url, {
        method: dest.method,
        dispatcher: this.#agent,
        headers: {
          'content-type': 'application/json',
          ...dest.headers,
          ...req.headers,
          'idempotency-key': req.idempotencyKey,
          'x-interlock-attempt': String(req.attempt),
        },
        body: req.payload,
        headersTimeout: dest.timeoutMs,
        bodyTimeout: dest.timeoutMs,
        signal: deadline.signal,
      });
      const text = await res.body.text();
      if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, status: res.statusCode };
      const response = text.slice(0, RESPONSE_KEPT);
      const header = res.headers['retry-after'];
      const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, Date.now());
      const base = { status: res.statusCode, response, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
      if (res.statusCode === 429) return { ok: false, failure: 'rate-limited', reason: 'HTTP 429 Too Many Requests', ...base };
      if (res.statusCode === 408 || res.statusCode === 425 || res.statusCode >= 500) {
        return { ok: false, failure: 'retryable', reason: `HTTP ${res.statusCode}`, ...base };
      }
      return { ok: false, failure: 'permanent', reason: `HTTP ${res.statusCode}`, ...base };
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
