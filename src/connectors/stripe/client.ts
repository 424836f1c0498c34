/**
 * The Stripe connector's one door to HTTP: secret-key Bearer auth, Stripe's form encoding, the
 * caller's `Idempotency-Key` on every POST, a pinned `Stripe-Version`, and list pagination with
 * `starting_after` as an async iterator. Stripe keys do not expire, so there is no token to
 * refresh: a refused key is an `auth` failure for operations to fix.
 */
import { InterlockError } from '../../core/errors.ts';
import { HttpTransport } from '../kit/http-transport.ts';
import { classifyStripe } from './errors.ts';
import { encodeForm, type FormParams } from './form-encode.ts';
import type { StripeList, StripeSearchResult } from './types.ts';

/** Options of a {@link StripeClient}. */
export interface StripeConnectorOptions {
  /** Secret or restricted key, `sk_…` / `rk_…`. */
  secretKey: string;
  /** @default 'https://api.stripe.com' */
  baseUrl?: string;
  /** Pinned API version, sent as `Stripe-Version`. @default '2025-03-31.basil' */
  apiVersion?: string;
  /** Per-call timeout. @default 15000 */
  timeoutMs?: number;
  /** Private hosts or addresses the SSRF guard lets through (tests: `['127.0.0.1']`). */
  allow?: readonly string[];
}

/** Default API version: the one whose shapes `types.ts` describes. */
export const STRIPE_API_VERSION = '2025-03-31.basil';

/** A Stripe account as the connector talks to it. */
export class StripeClient {
  readonly #http: HttpTransport;
  readonly #inFlight = new Map<string, Promise<unknown>>();

  constructor(options: StripeConnectorOptions) {
    if (!/^(sk|rk)_[A-Za-z0-9_]+$/.test(options.secretKey)) {
      throw new InterlockError('validation', 'Stripe secretKey must be a secret (sk_…) or restricted (rk_…) key', { details: { field: 'secretKey' } });
    }
    this.#http = new HttpTransport({
      vendor: 'Stripe',
      baseUrl: options.baseUrl ?? 'https://api.stripe.com',
      timeoutMs: options.timeoutMs ?? 15_000,
      allow: options.allow ?? [],
      headers: { authorization: `Bearer ${options.secretKey}`, 'stripe-version': options.apiVersion ?? STRIPE_API_VERSION },
      classify: classifyStripe,
    });
  }

  /** `GET /v1/<path>` with `params` in the query. */
  async get<T>(path: string, params: FormParams = {}): Promise<T> {
    const res = await this.#http.call<T>({ method: 'GET', path: `/v1/${path}`, query: encodeForm(params) });
    return res.body;
  }

  /**
   * `GET /v1/<path>`, answered by an identical GET already in flight when there is one: for
   * lookups whose answer may be a moment old anyway (a search, which Stripe keeps eventually
   * consistent; a price by lookup key, created under an idempotency key when missing), so runs
   * booking at once ask Stripe once. The answer is shared: callers must not change it.
   */
  async getShared<T>(path: string, params: FormParams = {}): Promise<T> {
    const query = encodeForm(params);
    const key = `${path}?${new URLSearchParams(query).toString()}`;
    const pending = this.#inFlight.get(key);
    if (pending !== undefined) return pending as Promise<T>;
    const call = this.#http.call<T>({ method: 'GET', path: `/v1/${path}`, query }).then((res) => res.body);
    this.#inFlight.set(key, call);
    try {
      return await call;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  /**
   * `POST /v1/<path>` with `params` form-encoded. The idempotency key is required: a retry of
   * the same effect must carry the same key so Stripe replays rather than repeats it.
   */
  async post<T>(path: string, params: FormParams, idempotencyKey: string): Promise<T> {
    if (idempotencyKey === '' || idempotencyKey.length > 255) {
      throw new InterlockError('validation', 'a Stripe Idempotency-Key must be 1 to 255 characters', { details: { field: 'idempotencyKey' } });
    }
    const res = await this.#http.call<T>({
      method: 'POST',
      path: `/v1/${path}`,
      form: encodeForm(params),
      headers: { 'idempotency-key': idempotencyKey },
    });
    return res.body;
  }

  /** `DELETE /v1/<path>` (idempotent by definition, so no key). */
  async delete<T>(path: string, params: FormParams = {}): Promise<T> {
    const res = await this.#http.call<T>({ method: 'DELETE', path: `/v1/${path}`, query: encodeForm(params) });
    return res.body;
  }

  /** Every object of a list endpoint, page by page with `starting_after`, newest first. */
  async *list<T extends { id: string }>(path: string, params: FormParams = {}, pageSize = 100): AsyncGenerator<T> {
    let after: string | undefined;
    for (;;) {
      const page = await this.get<StripeList<T>>(path, { ...params, limit: pageSize, starting_after: after });
      yield* page.data;
      const last = page.data.at(-1);
      if (!page.has_more || last === undefined) return;
      after = last.id;
    }
  }

  /** Every result of a search endpoint, page by page with `page`/`next_page` (pages shared as {@link getShared} says). */
  async *search<T>(path: string, query: string, pageSize = 100): AsyncGenerator<T> {
    let page: string | undefined;
    for (;;) {
      const result = await this.getShared<StripeSearchResult<T>>(path, { query, limit: pageSize, page });
      yield* result.data;
      if (!result.has_more || result.next_page === null) return;
      page = result.next_page;
    }
  }

  /** Releases connections. */
  async close(): Promise<void> {
    await this.#http.close();
  }
}
