/**
 * The last answer each downstream system gave for a record, kept in the store so an operation
 * whose downstream is down or slow can still answer, flagged stale with the copy's age. A copy is
 * rewritten when it changed or is older than {@link REFRESH_MS}, not on every call: reads stay
 * reads at the API's request rates, and the age a stale answer reports is at most that much off.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { Store } from '../../store/store.ts';

/** An unchanged copy is rewritten at most this often (its `synced_at` then lags by up to this). */
export const REFRESH_MS = 60_000;

/** A copy as read back. */
export interface LastKnownCopy<T> {
  value: T;
  /** When the downstream system gave it, epoch ms. */
  syncedAt: number;
}

/** The last-known copies of one store. */
export class LastKnown {
  readonly #store: Store;
  readonly #clock: Clock;
  // kind:key → digest and write time of what this process last wrote.
  readonly #written = new Map<string, { digest: string; at: number }>();

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Records `value` as the newest copy of (`kind`, `key`). */
  async save(kind: string, key: string, value: unknown): Promise<void> {
    const body = JSON.stringify(value);
    const digest = createHash('sha256').update(body).digest('base64');
    const now = this.#clock.now();
    const id = `${kind}:${key}`;
    const last = this.#written.get(id);
    if (last !== undefined && last.digest === digest && now - last.at < REFRESH_MS) return;
    this.#written.set(id, { digest, at: now });
    if (this.#written.size > 50_000) this.#written.clear();
    await this.#store.db
      .insertInto('api_last_known')
      .values({ kind, key, body, synced_at: now })
      .onConflict((oc) => oc.columns(['kind', 'key']).doUpdateSet({ body: sql`excluded.body`, synced_at: sql`excluded.synced_at` }))
      .execute();
  }

  /** The newest copy of (`kind`, `key`), if one was ever saved. */
  async get<T>(kind: string, key: string): Promise<LastKnownCopy<T> | undefined> {
    const row = await this.#store.db.selectFrom('api_last_known').select(['body', 'synced_at']).where('kind', '=', kind).where('key', '=', key).executeTakeFirst();
    return row === undefined ? undefined : { value: JSON.parse(row.body) as T, syncedAt: Number(row.synced_at) };
  }
}
