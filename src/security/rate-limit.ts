/**
 * Per-key rate limits and quotas for the API: a token bucket per key (a steady rate with bursts)
 * and, optionally, a quota of requests per fixed window. State is held in memory per process, so
 * with N processes behind a balancer a key gets up to N times the limit; the buckets are small
 * and self-expiring, which is what keeps this off the database on every request.
 *
 * Answers carry the IETF RateLimit headers (draft-ietf-httpapi-ratelimit-headers):
 * `RateLimit-Policy: "burst";q=100;w=2` and `RateLimit: "burst";r=57;t=1`; a refusal is 429 with
 * `Retry-After`, as problem+json.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../core/clock.ts';
import { rateLimitedError } from '../core/errors.ts';
import { takeTokens, type BucketState } from '../engine/token-bucket.ts';
import { principalOf } from './principal.ts';

/** Limits applied to each key. */
export interface KeyLimits {
  /** Sustained requests per second and the burst above it. */
  rate: { perSecond: number; burst: number };
  /** At most `limit` requests per `windowSeconds` (fixed windows); null = no quota. */
  quota: { limit: number; windowSeconds: number } | null;
}

/** What one check decided. */
export interface LimitDecision {
  allowed: boolean;
  /** Seconds until a refused request may be retried. */
  retryAfterSeconds: number;
  /** Header values to send with the answer. */
  headers: { 'ratelimit-policy': string; ratelimit: string };
}

interface KeyState {
  bucket: BucketState;
  windowStart: number;
  used: number;
}

/** The limiter of one process. */
export class KeyRateLimiter {
  readonly #limits: KeyLimits;
  readonly #clock: Clock;
  readonly #state = new Map<string, KeyState>();
  // The policy never changes: built once, not on every request.
  readonly #policy: string;

  constructor(limits: KeyLimits, clock: Clock) {
    this.#limits = limits;
    this.#clock = clock;
    const { rate, quota } = limits;
    const window = Math.max(1, Math.ceil(rate.burst / rate.perSecond));
    this.#policy = `"burst";q=${rate.burst};w=${window}` + (quota === null ? '' : `, "quota";q=${quota.limit};w=${quota.windowSeconds}`);
  }

  /** Counts one request of `key` and says whether it may go ahead. */
  check(key: string): LimitDecision {
    const now = this.#clock.now();
    const { rate, quota } = this.#limits;
    let s = this.#state.get(key);
    if (s === undefined) this.#state.set(key, (s = { bucket: { tokens: rate.burst, refilledAt: now }, windowStart: now, used: 0 }));
    if (quota !== null && now - s.windowStart >= quota.windowSeconds * 1000) {
      s.windowStart = now;
      s.used = 0;
    }
    const quotaLeft = quota === null ? Infinity : quota.limit - s.used;
    let allowed = false;
    let retryAfterMs = 0;
    if (quotaLeft <= 0) {
      retryAfterMs = s.windowStart + quota!.windowSeconds * 1000 - now;
    } else {
      const taken = takeTokens(rate, s.bucket, now, 1);
      s.bucket = taken.state;
      allowed = taken.granted === 1;
      retryAfterMs = taken.waitMs;
      if (allowed) s.used += 1;
    }
    if (this.#state.size > 10_000) this.#evictFull(now);
    return { allowed, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)), headers: this.#headers(s, now) };
  }

  #headers(s: KeyState, now: number): LimitDecision['headers'] {
    const { rate, quota } = this.#limits;
    const remaining = Math.floor(s.bucket.tokens);
    const refill = Math.ceil((rate.burst - s.bucket.tokens) / rate.perSecond);
    let state = `"burst";r=${remaining};t=${refill}`;
    if (quota !== null) {
      const reset = Math.ceil((s.windowStart + quota.windowSeconds * 1000 - now) / 1000);
      state += `, "quota";r=${Math.max(0, quota.limit - s.used)};t=${reset}`;
    }
    return { 'ratelimit-policy': this.#policy, ratelimit: state };
  }

  // Keys whose bucket has refilled and whose quota window has passed carry no state worth keeping.
  #evictFull(now: number): void {
    const { rate, quota } = this.#limits;
    for (const [key, s] of this.#state) {
      const full = s.bucket.tokens + ((now - s.bucket.refilledAt) / 1000) * rate.perSecond >= rate.burst;
      const windowOver = quota === null || now - s.windowStart >= quota.windowSeconds * 1000;
      if (full && windowOver) this.#state.delete(key);
    }
  }
}

/** An `onRequest` hook (after the guard) that applies `limiter` to the caller's key. */
export function rateLimitHook(limiter: KeyRateLimiter): (req: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (req, reply) => {
    applyRateLimit(limiter, req, reply);
  };
}

/**
 * Counts `req` against its caller's key (once the guard has named the caller): sets the
 * RateLimit headers on `reply` and throws the 429 problem when over the limit. Synchronous, for
 * a guard that runs it within its own hook.
 */
export function applyRateLimit(limiter: KeyRateLimiter, req: FastifyRequest, reply: FastifyReply): void {
  const principal = principalOf(req);
  if (principal === undefined) return;
  const d = limiter.check(principal.limitKey);
  reply.header('ratelimit-policy', d.headers['ratelimit-policy']).header('ratelimit', d.headers.ratelimit);
  if (!d.allowed) {
    throw rateLimitedError('too many requests for this API key', { retryAfterMs: d.retryAfterSeconds * 1000, type: 'rate-limited' });
  }
}
