/**
 * Calls to downstream systems from a synchronous operation: each with its own timeout, cut short
 * by the operation's latency budget, and a declared fallback — `fail` (answer 503 naming the
 * system) or `last-known` (answer from the last copy, flagged stale with its age). Only failures
 * that may pass fall back (timeouts, outages, rate limits, and the system refusing our own
 * credentials, which the caller cannot fix); a record that does not exist or a refused request is
 * the answer, not a reason to serve an old copy.
 */
import type { Clock } from '../../core/clock.ts';
import { InterlockError, toInterlockError, transientError } from '../../core/errors.ts';
import type { LastKnown } from './last-known.ts';

/** How one downstream call of an operation behaves. */
export interface DownstreamPolicy {
  /** System and object, e.g. `salesforce.account`; also the kind of its last-known copies. */
  name: string;
  /** Longest wait for this call, ms (less if the budget has less left). */
  timeoutMs: number;
  fallback: 'fail' | 'last-known';
}

/** How fresh an answer is. */
export interface Freshness {
  stale: boolean;
  /** Age of the copy used, seconds (0 when fresh). */
  ageSeconds: number;
  /** Why the copy was used, when stale. */
  reason?: string;
}

/** A downstream value with its freshness. */
export interface Fetched<T> {
  value: T;
  freshness: Freshness;
}

/** The deadline of one operation: its latency budget from when it started. */
export class Budget {
  readonly #clock: Clock;
  readonly #deadline: number;

  constructor(clock: Clock, budgetMs: number) {
    this.#clock = clock;
    this.#deadline = clock.now() + budgetMs;
  }

  /** Time left, ms (at least 1, so a late call still fails by timeout, not by magic). */
  left(): number {
    return Math.max(1, this.#deadline - this.#clock.now());
  }
}

/** Runs `call` with at most `ms` to answer; a late answer is a transient `downstream-timeout`. */
export async function withTimeout<T>(name: string, ms: number, call: (timeoutMs: number) => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(transientError(`${name} did not answer within ${ms} ms`, { type: 'downstream-timeout', details: { downstream: name, timeoutMs: ms } })), ms);
  });
  try {
    return await Promise.race([call(ms), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Fetches `key` from downstream `policy.name` within its timeout and the budget; keeps the answer
 * as the last-known copy, or falls back to that copy as the policy says.
 */
export async function fetchWithFallback<T>(
  deps: { lastKnown: LastKnown; clock: Clock },
  policy: DownstreamPolicy,
  budget: Budget,
  key: string,
  call: (timeoutMs: number) => Promise<T>,
): Promise<Fetched<T>> {
  try {
    const value = await withTimeout(policy.name, Math.min(policy.timeoutMs, budget.left()), call);
    if (policy.fallback === 'last-known') await deps.lastKnown.save(policy.name, key, value);
    return { value, freshness: { stale: false, ageSeconds: 0 } };
  } catch (thrown) {
    const err = toInterlockError(thrown);
    // A downstream refusing *our* credentials is an outage to the caller, never their 401.
    if (!err.retryable && err.code !== 'auth') throw err;
    if (policy.fallback === 'last-known') {
      const copy = await deps.lastKnown.get<T>(policy.name, key);
      if (copy !== undefined) {
        const ageSeconds = Math.max(0, Math.round((deps.clock.now() - copy.syncedAt) / 1000));
        return { value: copy.value, freshness: { stale: true, ageSeconds, reason: err.message } };
      }
    }
    throw unavailable(policy.name, err);
  }
}

/** The 503 an operation answers when a downstream failed and no copy may stand in. */
export function unavailable(downstream: string, cause: InterlockError): InterlockError {
  return new InterlockError('transient', `${downstream} is unavailable and no last-known copy can answer: ${cause.message}`, {
    type: 'downstream-unavailable',
    cause,
    details: { downstream },
    ...(cause.retryAfterMs === undefined ? {} : { retryAfterMs: cause.retryAfterMs }),
  });
}

/** The freshness of an answer built from several fetches: stale if any was, with the oldest age. */
export function combined(parts: readonly Freshness[]): Freshness {
  const stale = parts.filter((p) => p.stale);
  if (stale.length === 0) return { stale: false, ageSeconds: 0 };
  return { stale: true, ageSeconds: Math.max(...stale.map((p) => p.ageSeconds)), reason: stale.map((p) => p.reason).join('; ') };
}
