/**
 * Calls to downstream systems from a synchronous operation: each with its own timeout, cut short
 * by the operation's latency budget, and a declared fallback — `fail` (answer 503 naming the
 * system) or `last-known` (answer from the last copy, flagged stale with its age). Only failures
 * that may pass fall back (timeouts, outages, rate limits, and the system refusing our own
 * credentials, which the caller cannot fix); a record that does not exist or a refused request is
 * the answer, not a reason to serve an old copy.
 *
 * A read of master data may also declare a freshness window: a copy this process fetched less
 * than that long ago is the answer (`stale: false`, with its age), as the system of record gave it
 * moments before, and concurrent reads of one record share one call.
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
  /**
   * A `last-known` read answers from a copy fetched less than this long ago without calling
   * (master data, which changes far more slowly than it is read). @default 0 (always call)
   */
  freshForMs?: number;
}

/** How one fetch may use the freshness window. */
export interface FetchOptions {
  /** Ask the system of record even if a copy is within the window (`Cache-Control: no-cache`). */
  revalidate?: boolean;
}

/** How fresh an answer is. */
export interface Freshness {
  stale: boolean;
  /** Age of the copy used, whole seconds (0 when just fetched). */
  ageSeconds: number;
  /** Age of the copy used, ms (0 when just fetched). */
  ageMs: number;
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
 * Fetches `key` from downstream `policy.name` within its timeout and the budget — or takes the
 * copy fetched within the policy's freshness window; keeps the answer as the last-known copy
 * (one call at a time per record), or falls back to that copy as the policy says.
 */
export async function fetchWithFallback<T>(
  deps: { lastKnown: LastKnown; clock: Clock },
  policy: DownstreamPolicy,
  budget: Budget,
  key: string,
  call: (timeoutMs: number) => Promise<T>,
  options: FetchOptions = {},
): Promise<Fetched<T>> {
  const keeps = policy.fallback === 'last-known';
  const recent = recentCopy<T>(deps, policy, key, options);
  if (recent !== undefined) return recent;
  try {
    const ms = Math.min(policy.timeoutMs, budget.left());
    const value = await withTimeout(policy.name, ms, keeps ? (t) => deps.lastKnown.fetchOnce(policy.name, key, () => call(t)) : call);
    if (keeps) await deps.lastKnown.save(policy.name, key, value);
    return { value, freshness: { stale: false, ageSeconds: 0, ageMs: 0 } };
  } catch (thrown) {
    const err = toInterlockError(thrown);
    // A downstream refusing *our* credentials is an outage to the caller, never their 401.
    if (!err.retryable && err.code !== 'auth') throw err;
    if (keeps) {
      const copy = await deps.lastKnown.get<T>(policy.name, key);
      if (copy !== undefined) return { value: copy.value, freshness: { stale: true, ...age(deps.clock, copy.syncedAt), reason: err.message } };
    }
    throw unavailable(policy.name, err);
  }
}

/**
 * The copy of `key` fetched within `policy`'s freshness window, as {@link fetchWithFallback} would
 * answer it, or undefined (no window, `revalidate`, or no copy young enough). Synchronous, so an
 * operation answered from copies makes no promise per call.
 */
export function recentCopy<T>(deps: { lastKnown: LastKnown; clock: Clock }, policy: DownstreamPolicy, key: string, options: FetchOptions = {}): Fetched<T> | undefined {
  if (policy.fallback !== 'last-known' || options.revalidate === true) return undefined;
  const window = policy.freshForMs ?? 0;
  if (window <= 0) return undefined;
  const copy = deps.lastKnown.recent<T>(policy.name, key, window);
  if (copy === undefined) return undefined;
  // Inline rather than through age(): no intermediate object on the path of every cached answer.
  const ageMs = Math.max(0, deps.clock.now() - copy.syncedAt);
  return { value: copy.value, freshness: { stale: false, ageSeconds: Math.floor(ageMs / 1000), ageMs } };
}

function age(clock: Clock, syncedAt: number): { ageSeconds: number; ageMs: number } {
  const ageMs = Math.max(0, clock.now() - syncedAt);
  return { ageSeconds: Math.floor(ageMs / 1000), ageMs };
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

/** The freshness of an answer built from several fetches: stale if any was, with the oldest copy's age. */
export function combined(parts: readonly Freshness[]): Freshness {
  // Plain loops: this runs on every answer, and the usual one is fresh (no arrays to build).
  let ageMs = 0;
  let ageSeconds = 0;
  let anyStale = false;
  for (const p of parts) {
    if (p.ageMs > ageMs) ageMs = p.ageMs;
    if (p.ageSeconds > ageSeconds) ageSeconds = p.ageSeconds;
    if (p.stale) anyStale = true;
  }
  if (!anyStale) return { stale: false, ageSeconds, ageMs };
  const reasons = parts.filter((p) => p.stale).map((p) => p.reason);
  return { stale: true, ageSeconds, ageMs, reason: reasons.join('; ') };
}
