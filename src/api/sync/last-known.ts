/**
 * The last answer each downstream system gave for a record, kept in the store so an operation
 * whose downstream is down or slow can still answer, flagged stale with the copy's age. A copy is
 * rewritten when it changed or is older than {@link REFRESH_MS}, not on every call: reads stay
 * reads at the API's request rates, and the age a stale answer reports is at most that much off.
 *
 * This process also remembers when it fetched each copy, exactly, so an operation may answer from
 * a copy younger than its policy's freshness window without asking again ({@link LastKnown.recent}),
 * and fetches each record once at a time however many requests want it ({@link LastKnown.fetchOnce}).
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { Store } from '../../store/store.ts';
import { SingleFlight } from './single-flight.ts';

/** An unchanged copy is rewritten at most this often (its `synced_at` then lags by up to this). */
export const REFRESH_MS = 60_000;

// Copies remembered in memory per kind; past this the oldest are forgotten (the store keeps them all).
const MAX_REMEMBERED = 10_000;

/** A copy as read back. */
export interface LastKnownCopy<T> {
  value: T;
  /** When the downstream system gave it, epoch ms. */
  syncedAt: number;
}

interface Remembered {
  digest: string;
  /** When this process last wrote the copy to the store. */
  writtenAt: number;
  value: unknown;
  /** When the downstream system gave it. */
  fetchedAt: number;
}

/** The last-known copies of one store. */
export class LastKnown {
  readonly #store: Store;
  readonly #clock: Clock;
  // kind → key → what this process last fetched and wrote. Two levels, not one `kind:key` string:
  // a key built per lookup is a new string to flatten and hash on every request.
  readonly #remembered = new Map<string, Map<string, Remembered>>();
  readonly #flights = new SingleFlight();

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Records `value` as the newest copy of (`kind`, `key`). */
  async save(kind: string, key: string, value: unknown): Promise<void> {
    const now = this.#clock.now();
    const last = this.#remembered.get(kind)?.get(key);
    // Everyone who shared one fetch saves the same object: the first did the work.
    if (last !== undefined && last.value === value && now - last.writtenAt < REFRESH_MS) return;
    const body = JSON.stringify(value);
    const digest = createHash('sha256').update(body).digest('base64');
    const unchanged = last !== undefined && last.digest === digest && now - last.writtenAt < REFRESH_MS;
    this.#remember(kind, key, { digest, writtenAt: unchanged ? last.writtenAt : now, value, fetchedAt: now });
    if (unchanged) return;
    await this.#store.db
      .insertInto('api_last_known')
      .values({ kind, key, body, synced_at: now })
      .onConflict((oc) => oc.columns(['kind', 'key']).doUpdateSet({ body: sql`excluded.body`, synced_at: sql`excluded.synced_at` }))
      .execute();
  }

  /**
   * Fetches (`kind`, `key`) with `fetch`; while that fetch is in flight, everyone else fetching
   * the same record waits for its answer rather than fetching again. The caller saves the answer.
   */
  fetchOnce<T>(kind: string, key: string, fetch: () => Promise<T>): Promise<T> {
    return this.#flights.run(`${kind}:${key}`, fetch);
  }

  /** The copy of (`kind`, `key`) this process fetched less than `maxAgeMs` ago, if any. */
  recent<T>(kind: string, key: string, maxAgeMs: number): LastKnownCopy<T> | undefined {
    const hit = this.#remembered.get(kind)?.get(key);
    if (hit === undefined || this.#clock.now() - hit.fetchedAt >= maxAgeMs) return undefined;
    return { value: hit.value as T, syncedAt: hit.fetchedAt };
  }

  /** The newest copy of (`kind`, `key`), if one was ever saved. */
  async get<T>(kind: string, key: string): Promise<LastKnownCopy<T> | undefined> {
    const row = await this.#store.db.selectFrom('api_last_known').select(['body', 'synced_at']).where('kind', '=', kind).where('key', '=', key).executeTakeFirst();
    return row === undefined ? undefined : { value: JSON.parse(row.body) as T, syncedAt: Number(row.synced_at) };
  }

  // Re-inserting moves the entry to the end, so the first in the map is the least recently fetched.
  #remember(kind: string, key: string, entry: Remembered): void {
    let copies = this.#remembered.get(kind);
    if (copies === undefined) this.#remembered.set(kind, (copies = new Map()));
    copies.delete(key);
    copies.set(key, entry);
    if (copies.size > MAX_REMEMBERED) copies.delete(copies.keys().next().value!);
  }
}
