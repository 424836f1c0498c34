/**
 * A circuit breaker per vendor account, kept by its transport: after a burst of consecutive
 * failures of the vendor itself (5xx, broken or timed-out exchanges) it opens and calls fail at
 * once with a retryable error, so runs back off instead of queueing on a vendor that is down;
 * after a pause it lets one probe through (half-open) and closes on its success.
 *
 * Hand-written rather than a library's (opossum): the transport needs a counter and a clock on
 * its hot path, not a wrapped function with its own timeout, rolling-window timers and events.
 */
import { InterlockError } from '../../core/errors.ts';

/** closed: calls pass; open: calls fail fast; half-open: one probe passes, the rest fail fast. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Options of a {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Vendor name, for the error message. */
  vendor: string;
  /** Consecutive failures that open the circuit. @default 10 */
  failureThreshold?: number;
  /** How long the circuit stays open before a probe may pass. @default 10000 */
  openMs?: number;
  /** Milliseconds now; tests pass a manual clock. @default performance.now */
  now?: () => number;
  /** Told every change of state (metrics). */
  onStateChange?: (state: CircuitState) => void;
}

/** The breaker of one vendor account. */
export class CircuitBreaker {
  readonly #o: CircuitBreakerOptions;
  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probing = false;

  constructor(options: CircuitBreakerOptions) {
    this.#o = options;
  }

  /** The current state (an open circuit whose pause is over reads as half-open). */
  get state(): CircuitState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#openMs) return 'half-open';
    return this.#state;
  }

  /**
   * Asks to make a call: returns when it may go ahead, throws a `transient` error with
   * `retryAfterMs` when the circuit is open (or half-open with its probe already out).
   */
  admit(): void {
    if (this.#state === 'closed') return;
    const waited = this.#now() - this.#openedAt;
    if (this.#state === 'open' && waited >= this.#openMs) this.#set('half-open');
    if (this.#state === 'half-open' && !this.#probing) {
      this.#probing = true;
      return;
    }
    const retryAfterMs = Math.max(1, Math.ceil(this.#openMs - waited));
    throw new InterlockError('transient', `${this.#o.vendor}: circuit open after ${this.#failures} failures in a row; calls fail fast until a probe succeeds`, {
      details: { vendor: this.#o.vendor, circuit: this.#state },
      retryAfterMs,
    });
  }

  /** An admitted call got an answer from the vendor (any answer that is not a vendor failure). */
  success(): void {
    this.#failures = 0;
    this.#probing = false;
    if (this.#state !== 'closed') this.#set('closed');
  }

  /** An admitted call ended before it could reach the vendor (e.g. an address refused): no verdict. */
  cancel(): void {
    this.#probing = false;
  }

  /** An admitted call failed on the vendor's side. */
  failure(): void {
    this.#failures += 1;
    this.#probing = false;
    if (this.#state === 'half-open' || (this.#state === 'closed' && this.#failures >= (this.#o.failureThreshold ?? 10))) {
      this.#openedAt = this.#now();
      this.#set('open');
    }
  }

  get #openMs(): number {
    return this.#o.openMs ?? 10_000;
  }

  #now(): number {
    return (this.#o.now ?? performance.now.bind(performance))();
  }

  #set(state: CircuitState): void {
    this.#state = state;
    this.#o.onStateChange?.(state);
  }
}
