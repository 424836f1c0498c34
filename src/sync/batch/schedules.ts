/**
 * Sync schedules in the store, with their lease. A worker runs a sync only while it holds the
 * lease (an atomic compare-and-set on `lease_owner`/`lease_until`), renews it between batches,
 * and hands it back with the next run time. A worker that dies keeps nobody waiting longer than
 * the lease: another claims the sync then and resumes from the stored cursor. So one instance of
 * a sync runs at a time across all workers, and schedules survive restarts.
 */
import type { Clock } from '../../core/clock.ts';
import { notFoundError } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import { nextRun } from './cron.ts';

/** A schedule as listed. */
export interface SyncSchedule {
  name: string;
  cron: string;
  nextAt: string;
  /** Who holds the lease now, when it is held. */
  runningOn: string | null;
  fullRequested: boolean;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastStatus: 'ok' | 'failed' | null;
  lastError: string | null;
  lastCounts: Record<string, number> | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

/** The schedules of a store. */
export class SyncSchedules {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Makes sure `name` is scheduled by `cron`; a changed expression recomputes the next run. */
  async ensure(name: string, cron: string): Promise<void> {
    const now = this.#clock.now();
    await this.#store.db
      .insertInto('sync_schedules')
      .values({ name, cron, next_at: nextRun(cron, now), lease_owner: null, lease_until: 0, full_requested: 0, last_started_at: null, last_finished_at: null, last_status: null, last_error: null, last_counts: null })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    await this.#store.db.updateTable('sync_schedules').set({ cron, next_at: nextRun(cron, now) }).where('name', '=', name).where('cron', '<>', cron).execute();
  }

  /** Names of the syncs due now whose lease is free. */
  async due(): Promise<string[]> {
    const now = this.#clock.now();
    const rows = await this.#store.db.selectFrom('sync_schedules').select('name').where('next_at', '<=', now).where('lease_until', '<', now).orderBy('next_at').execute();
    return rows.map((r) => r.name);
  }

  /**
   * Takes the lease of `name` for `leaseMs` if it is free (or already `owner`'s).
   * @returns whether a full resync was requested, or undefined when someone else holds it
   */
  async claim(name: string, owner: string, leaseMs: number): Promise<{ full: boolean } | undefined> {
    const now = this.#clock.now();
    const res = await this.#store.db
      .updateTable('sync_schedules')
      .set({ lease_owner: owner, lease_until: now + leaseMs, last_started_at: now })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('lease_until', '<', now), eb('lease_owner', '=', owner)]))
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return undefined;
    const row = await this.#store.db.selectFrom('sync_schedules').select('full_requested').where('name', '=', name).executeTakeFirstOrThrow();
    return { full: Number(row.full_requested) === 1 };
  }

  /** Extends `owner`'s lease; false when it was lost (expired and taken), so the run must stop. */
  async renew(name: string, owner: string, leaseMs: number): Promise<boolean> {
    const res = await this.#store.db
      .updateTable('sync_schedules')
      .set({ lease_until: this.#clock.now() + leaseMs })
      .where('name', '=', name)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Hands the lease back with the run's outcome and the next run time. */
  async release(name: string, owner: string, outcome: { ok: boolean; error?: string; counts: Record<string, number>; fullDone: boolean }): Promise<void> {
    const now = this.#clock.now();
    const row = await this.#store.db.selectFrom('sync_schedules').select('cron').where('name', '=', name).executeTakeFirst();
    await this.#store.db
      .updateTable('sync_schedules')
      .set({
        lease_owner: null,
        lease_until: 0,
        next_at: nextRun(row?.cron ?? '@hourly', now),
        last_finished_at: now,
        last_status: outcome.ok ? 'ok' : 'failed',
        last_error: outcome.error ?? null,
        last_counts: JSON.stringify(outcome.counts),
        ...(outcome.fullDone ? { full_requested: 0 } : {}),
      })
      .where('name', '=', name)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** Asks for a full resync of `name` at its next run (and makes that run due now). */
  async requestFull(name: string): Promise<void> {
    const res = await this.#store.db.updateTable('sync_schedules').set({ full_requested: 1, next_at: this.#clock.now() }).where('name', '=', name).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw notFoundError(`no sync schedule "${name}"`);
  }

  /** Every schedule. */
  async list(): Promise<SyncSchedule[]> {
    const now = this.#clock.now();
    const rows = await this.#store.db.selectFrom('sync_schedules').selectAll().orderBy('name').execute();
    return rows.map((r) => ({
      name: r.name,
      cron: r.cron,
      nextAt: iso(r.next_at) ?? '',
      runningOn: r.lease_owner !== null && Number(r.lease_until) >= now ? r.lease_owner : null,
      fullRequested: Number(r.full_requested) === 1,
      lastStartedAt: iso(r.last_started_at),
      lastFinishedAt: iso(r.last_finished_at),
      lastStatus: r.last_status as SyncSchedule['lastStatus'],
      lastError: r.last_error,
      lastCounts: r.last_counts === null ? null : (JSON.parse(r.last_counts) as Record<string, number>),
    }));
  }
}
