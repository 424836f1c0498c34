/**
 * Retry timing: exponential backoff with full jitter, never earlier than the other side asked.
 */

/** Backoff settings of a destination. */
export interface BackoffPolicy {
  /** Upper bound of the first retry's delay; doubles each attempt. */
  initialDelayMs: number;
  /** Largest delay between two attempts. */
  maxDelayMs: number;
}

/**
 * Delay before the next attempt after `attempts` failed attempts: uniformly random in
 * [1, min(maxDelay, initialDelay · 2^(attempts-1))] ("full jitter", which spreads a burst of
 * failing messages instead of retrying them in lockstep), but never less than `retryAfterMs`
 * when the destination named a time. Never zero: a retry due "now" would run again in the same
 * worker pass, before time has moved at all.
 */
export function nextDelay(
  policy: BackoffPolicy,
  attempts: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  const jittered = Math.max(1, Math.floor(random() * exp));
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}

/**
 * Parses a `Retry-After` header (delta-seconds or an HTTP date) into milliseconds from `now`.
 * Returns undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
