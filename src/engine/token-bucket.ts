/**
 * The token bucket behind per-destination rate limits. The state lives in the store
 * (`destination_state`), so every worker of a deployment draws from the same bucket; this file
 * is the arithmetic.
 */

/** A bucket's persisted state. */
export interface BucketState {
  tokens: number;
  refilledAt: number;
}

/** Rate limit of a destination. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** Refills `state` up to `now` and takes up to `wanted` whole tokens. */
export function takeTokens(
  limit: RateLimit,
  state: BucketState,
  now: number,
  wanted: number,
): { granted: number; state: BucketState; waitMs: number } {
  const elapsed = Math.max(0, now - state.refilledAt);
  const tokens = Math.min(limit.burst, state.tokens + (elapsed / 1000) * limit.perSecond);
  const granted = Math.max(0, Math.min(wanted, Math.floor(tokens)));
  const left = tokens - granted;
  // When nothing could be granted, say how long until one token is there.
  const waitMs = granted < wanted ? Math.ceil(((1 - (left % 1)) / limit.perSecond) * 1000) : 0;
  return { granted, state: { tokens: left, refilledAt: now }, waitMs };
}
