/**
 * The store side of `Idempotency-Key` (Stripe's semantics): the first request with a key claims
 * it; a repeat with the same parameters gets the stored answer; a repeat with other parameters,
 * or on another route, is refused; a repeat while the first still runs is told so. Keys belong
 * to one caller (the API key), expire after {@link KEY_TTL_MS}, and a claim whose process died
 * is given up after {@link ABANDONED_MS}, longer than any operation's budget.
 */
import type { Clock } from '../../core/clock.ts';
import type { Store } from '../../store/store.ts';

/** How long a key and its answer are kept. */
export const KEY_TTL_MS = 24 * 60 * 60 * 1000;

/** An in-flight claim older than this belongs to a request that will never finish. */
export const ABANDONED_MS = 60_000;

/** A stored answer. */
export interface StoredAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** What claiming a key found. */
export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'in-flight' }
  | { kind: 'mismatch'; what: 'route' | 'parameters'; firstRoute: string };

/** Idempotency keys of one store. */
export class IdempotencyKeys {
  readonly #store: Store;
  readonly #clock: Clock;
  #prunedAt = 0;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Claims (`scope`, `key`) for a request on `route` with parameters `fingerprint`, or says why not. */
  async claim(scope: string, key: string, route: string, fingerprint: string): Promise<Claim> {
    const now = this.#clock.now();
    await this.#pruneNowAndThen(now);
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await this.#store.db
        .insertInto('api_idempotency')
        .values({ scope, key, route, fingerprint, state: 'in-flight', status: null, content_type: null, body: null, created_at: now, expires_at: now + KEY_TTL_MS })
        .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return { kind: 'claimed' };
      const row = await this.#store.db.selectFrom('api_idempotency').selectAll().where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
      if (row === undefined) continue; // expired and pruned in between: claim again
      const expired = Number(row.expires_at) <= now;
      const abandoned = row.state === 'in-flight' && now - Number(row.created_at) >= ABANDONED_MS;
      if (expired || abandoned) {
        await this.#store.db.deleteFrom('api_idempotency').where('scope', '=', scope).where('key', '=', key).where('created_at', '=', row.created_at).execute();
        continue;
      }
      if (row.route !== route) return { kind: 'mismatch', what: 'route', firstRoute: row.route };
      if (row.fingerprint !== fingerprint) return { kind: 'mismatch', what: 'parameters', firstRoute: row.route };
      if (row.state === 'in-flight' || row.status === null) return { kind: 'in-flight' };
      return { kind: 'replay', answer: { status: row.status, contentType: row.content_type ?? 'application/json', body: row.body ?? '' } };
    }
    return { kind: 'in-flight' };
  }

  /** Stores the answer of a claimed key. */
  async complete(scope: string, key: string, answer: StoredAnswer): Promise<void> {
    await this.#store.db
      .updateTable('api_idempotency')
      .set({ state: 'done', status: answer.status, content_type: answer.contentType, body: answer.body })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .execute();
  }

  /** Gives a claimed key up (the request failed in a way worth retrying), so it can be used again. */
  async release(scope: string, key: string): Promise<void> {
    await this.#store.db.deleteFrom('api_idempotency').where('scope', '=', scope).where('key', '=', key).where('state', '=', 'in-flight').execute();
  }

  // Expired keys go at most once a minute per process, in passing.
  async #pruneNowAndThen(now: number): Promise<void> {
    if (now - this.#prunedAt < 60_000) return;
    this.#prunedAt = now;
    await this.#store.db.deleteFrom('api_idempotency').where('expires_at', '<=', now).execute();
  }
}
