/**
 * Per-vendor API budgets of batch work. Real-time flows share each vendor's rate limit with
 * syncs; the budget keeps syncs to their share (a token bucket per vendor), and when the vendor
 * pushes back anyway (429, a Salesforce daily limit close to spent, a 5xx) the sync waits and
 * retries with backoff, or gives up for this run and resumes from its cursor next time, rather
 * than keep hammering the vendor the flows also need.
 */
import type { Clock } from '../../core/clock.ts';
import { systemClock } from '../../core/clock.ts';
import { InterlockError, toInterlockError } from '../../core/errors.ts';
import { nextDelay, type BackoffPolicy } from '../../engine/backoff.ts';
import { takeTokens, type BucketState, type RateLimit } from '../../engine/token-bucket.ts';

/** One vendor's budget. */
export interface VendorBudget extends RateLimit {
  /**
   * Salesforce only: the share (0–1) of the org's daily API calls past which syncs stop for the
   * run, leaving the rest to real-time flows. @default 0.8
   */
  maxDailyShare?: number;
}

/** Budgets by vendor name; a vendor not named is not limited here. */
export type Budgets = Readonly<Record<string, VendorBudget>>;

/** Defaults: a third of each sandbox vendor's usual allowance. */
export const DEFAULT_BUDGETS: Budgets = {
  salesforce: { perSecond: 5, burst: 10, maxDailyShare: 0.8 },
  netsuite: { perSecond: 2, burst: 2 },
  stripe: { perSecond: 10, burst: 20 },
};

const BACKOFF: BackoffPolicy = { initialDelayMs: 500, maxDelayMs: 30_000 };

/** Calls to vendors drawn from their budgets, retried with backoff when the vendor pushes back. */
export class ApiBudget {
  readonly #budgets: Budgets;
  readonly #clock: Clock;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #buckets = new Map<string, BucketState>();
  readonly #attempts: number;

  constructor(options: { budgets?: Budgets; clock?: Clock; sleep?: (ms: number) => Promise<void>; attempts?: number } = {}) {
    this.#budgets = options.budgets ?? DEFAULT_BUDGETS;
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#attempts = options.attempts ?? 6;
  }

  /** Waits for a token of `vendor`, then runs `call`; retries rate limits and transient failures. */
  async call<T>(vendor: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.#take(vendor);
      try {
        return await call();
      } catch (err) {
        const e = toInterlockError(err);
        if (!(e.code === 'rate-limited' || e.code === 'transient') || attempt >= this.#attempts) throw e;
        await this.#sleep(nextDelay(BACKOFF, attempt, e.retryAfterMs));
      }
    }
  }

  /** Stops the run (a transient error) when Salesforce says the daily limit is nearly spent. */
  checkDaily(vendor: string, usage: { used: number; max: number } | undefined): void {
    const share = this.#budgets[vendor]?.maxDailyShare;
    if (share === undefined || usage === undefined || usage.max <= 0) return;
    if (usage.used / usage.max >= share) {
      throw new InterlockError('rate-limited', `${vendor} daily API usage ${usage.used}/${usage.max} is past the sync budget (${Math.round(share * 100)}%); the sync resumes from its cursor at its next run`);
    }
  }

  async #take(vendor: string): Promise<void> {
    const limit = this.#budgets[vendor];
    if (limit === undefined) return;
    for (;;) {
      const state = this.#buckets.get(vendor) ?? { tokens: limit.burst, refilledAt: this.#clock.now() };
      const taken = takeTokens(limit, state, this.#clock.now(), 1);
      this.#buckets.set(vendor, taken.state);
      if (taken.granted === 1) return;
      await this.#sleep(taken.waitMs);
    }
  }
}
