/**
 * Runs one sync under its lease: reads micro-batches after the stored cursor, writes each, and
 * moves the cursor (compare-and-set) only after the write, renewing the lease between batches.
 * Killed at any instant, the next run resumes at the last moved cursor and at most rewrites one
 * batch, which the idempotent write absorbs: no gap, no duplicate. A full resync starts from the
 * beginning (the stored cursor is only the compare-and-set's expected value).
 */
import type { Clock } from '../../core/clock.ts';
import { conflictError, toInterlockError } from '../../core/errors.ts';
import { CursorStore } from '../../connectors/kit/cursor-store.ts';
import type { Store } from '../../store/store.ts';
import { SyncSchedules } from './schedules.ts';
import type { SyncDefinition } from './sync-definition.ts';

/** Settings of a run. */
export interface SyncRunOptions {
  /** Who runs it (unique per process): the lease owner. */
  owner: string;
  /** Start from the beginning instead of the cursor (also when a full resync was requested). */
  full?: boolean;
  /** Records per micro-batch. @default 200 */
  batchSize?: number;
  /** Lease length, renewed between batches. @default 60000 */
  leaseMs?: number;
  /** Called after each batch, e.g. for a progress line. */
  onBatch?: (counts: SyncCounts) => void;
}

/** What a run did. */
export interface SyncCounts {
  read: number;
  written: number;
  deleted: number;
  skipped: number;
  batches: number;
}

/** The outcome of {@link runSync}: `busy` when another worker holds the sync. */
export type SyncOutcome = { status: 'ok'; counts: SyncCounts; full: boolean } | { status: 'busy' };

/** The cursor name of a sync's position in `connector_cursors`. */
export const POSITION = 'position';

/** Runs `sync` once, if its lease is free. */
export async function runSync(sync: SyncDefinition, deps: { store: Store; clock: Clock }, options: SyncRunOptions): Promise<SyncOutcome> {
  const schedules = new SyncSchedules(deps.store, deps.clock);
  await schedules.ensure(sync.name, sync.cron);
  const leaseMs = options.leaseMs ?? 60_000;
  const claim = await schedules.claim(sync.name, options.owner, leaseMs);
  if (claim === undefined) return { status: 'busy' };
  const full = options.full === true || claim.full;
  const cursors = new CursorStore(deps.store, `sync:${sync.name}`, deps.clock);
  const counts: SyncCounts = { read: 0, written: 0, deleted: 0, skipped: 0, batches: 0 };
  try {
    let stored = await cursors.get(POSITION);
    let position = full ? undefined : stored;
    for (;;) {
      const page = await sync.readPage(position, options.batchSize ?? 200);
      if (page.records.length === 0) break;
      const wrote = await sync.write(page.records);
      if (page.next !== undefined && page.next !== stored) {
        if (!(await cursors.set(POSITION, page.next, stored))) throw conflictError(`the cursor of sync ${sync.name} was moved by someone else; this run stops`);
        stored = page.next;
      }
      position = page.next;
      counts.read += page.records.length;
      counts.written += wrote.written;
      counts.deleted += wrote.deleted;
      counts.skipped += wrote.skipped;
      counts.batches++;
      options.onBatch?.({ ...counts });
      if (!(await schedules.renew(sync.name, options.owner, leaseMs))) throw conflictError(`sync ${sync.name} lost its lease; another worker resumes it`);
    }
    await schedules.release(sync.name, options.owner, { ok: true, counts: { ...counts }, fullDone: full });
    return { status: 'ok', counts, full };
  } catch (err) {
    await schedules.release(sync.name, options.owner, { ok: false, error: toInterlockError(err).message, counts: { ...counts }, fullDone: false });
    throw err;
  }
}
