/**
 * Access tokens for OAuth-style vendors: fetched once and shared by concurrent callers, refreshed
 * a little before they expire, and dropped when the vendor says a token is no longer valid (so
 * the next call fetches a fresh one instead of failing until expiry).
 */
import type { Clock } from '../../core/clock.ts';

/** A fetched token and how long it lives. */
export interface IssuedToken<T> {
  value: T;
  /** Lifetime in milliseconds from now; undefined when the vendor does not say. */
  expiresInMs?: number | undefined;
}

/** Caches one token; `T` may carry more than the token itself (e.g. Salesforce's instance URL). */
export class TokenCache<T> {
  readonly #fetch: () => Promise<IssuedToken<T>>;
  readonly #clock: Clock;
  readonly #marginMs: number;
  readonly #defaultTtlMs: number;
  #current: { value: T; expiresAt: number } | undefined;
  #inFlight: Promise<T> | undefined;

  /**
   * @param fetch obtains a new token
   * @param marginMs refresh this long before expiry @default 60000
   * @param defaultTtlMs lifetime assumed when the vendor gives none @default 900000
   */
  constructor(fetch: () => Promise<IssuedToken<T>>, clock: Clock, marginMs = 60_000, defaultTtlMs = 900_000) {
    this.#fetch = fetch;
    this.#clock = clock;
    this.#marginMs = marginMs;
    this.#defaultTtlMs = defaultTtlMs;
  }

  /** The current token, fetching one when there is none or it is about to expire. */
  async get(): Promise<T> {
    const now = this.#clock.now();
    if (this.#current !== undefined && this.#current.expiresAt - this.#marginMs > now) return this.#current.value;
    // Single flight: concurrent callers share one token request.
    this.#inFlight ??= this.#fetch()
      .then((issued) => {
        this.#current = { value: issued.value, expiresAt: this.#clock.now() + (issued.expiresInMs ?? this.#defaultTtlMs) };
        return issued.value;
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  /** Forgets the token (the vendor refused it); the next `get` fetches a new one. */
  invalidate(): void {
    this.#current = undefined;
  }
}
