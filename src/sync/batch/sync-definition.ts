/**
 * What a batch sync is: a paged, ordered read from a source after a cursor, and an idempotent
 * write of one micro-batch to the targets. The runner keeps the cursor; a definition never does,
 * so a crash between a write and the cursor's move only replays that batch, which the idempotent
 * write absorbs.
 */
import type { Systems } from '../systems/systems.ts';
import type { ApiBudget } from './budget.ts';

/** One page of changes after a cursor. */
export interface SyncPage<R> {
  records: R[];
  /** The cursor after the last record of the page (unchanged when the page is empty). */
  next: string | undefined;
}

/** What a micro-batch write did. */
export interface WriteCounts {
  written: number;
  deleted: number;
  skipped: number;
}

/** A sync over connected systems. */
export interface SyncDefinition<R = unknown> {
  name: string;
  description: string;
  /** Default schedule. */
  cron: string;
  /** Up to `size` changed records after `cursor` (undefined: from the beginning), oldest first. */
  readPage(cursor: string | undefined, size: number): Promise<SyncPage<R>>;
  /** Applies one micro-batch to the targets; running it again changes nothing more. */
  write(records: readonly R[]): Promise<WriteCounts>;
}

/** Builds a sync's definition over connected systems, drawing its calls from `budget`. */
export type SyncFactory = (systems: Systems, budget: ApiBudget) => SyncDefinition;
