/**
 * The daily API allowance: every REST call counts, `Sforce-Limit-Info: api-usage=N/M` reports
 * the count, and past the allowance calls answer `403 REQUEST_LIMIT_EXCEEDED` (Salesforce sends
 * no 429). The window is a rolling day, approximated as "since the first call of the last 24 h".
 */
import type { Collection } from '../kit/index.ts';
import { SalesforceError } from './errors.ts';

const DAY_MS = 86_400_000;

/** Counts API calls against the daily allowance. */
export class ApiUsage {
  readonly #meta: Collection<{ n: number; since?: number }>;
  readonly #limit: number;

  constructor(meta: Collection<{ n: number; since?: number }>, limit: number) {
    this.#meta = meta;
    this.#limit = limit;
  }

  /** Counts one call; throws `REQUEST_LIMIT_EXCEEDED` when the allowance is spent. */
  count(): void {
    const now = Date.now();
    const current = this.#meta.get('apiUsage');
    const fresh = !current || (current.since ?? 0) <= now - DAY_MS;
    const used = fresh ? 0 : current.n;
    if (used >= this.#limit) throw new SalesforceError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    this.#meta.put('apiUsage', { n: used + 1, since: fresh ? now : current.since ?? now });
  }

  /** The header value, e.g. `api-usage=12/100000`. */
  header(): string {
    return `api-usage=${this.used()}/${this.#limit}`;
  }

  /** Calls counted in the current window. */
  used(): number {
    return this.#meta.get('apiUsage')?.n ?? 0;
  }

  /** The daily allowance. */
  get limit(): number {
    return this.#limit;
  }
}
