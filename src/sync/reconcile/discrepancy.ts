/**
 * The typed discrepancies a reconciliation reports. Each names the system whose state is wrong
 * (for a duplicate, the system holding the copies) and carries both values where there are two.
 */
import type { FieldValue } from './projection.ts';

/** The kinds of drift. */
export type DiscrepancyKind = 'missing' | 'duplicate' | 'field-drift' | 'status-mismatch' | 'amount-mismatch' | 'orphan';

/** Every kind, in report order. */
export const DISCREPANCY_KINDS: readonly DiscrepancyKind[] = ['missing', 'duplicate', 'field-drift', 'status-mismatch', 'amount-mismatch', 'orphan'];

/** One discrepancy. */
export interface Discrepancy {
  kind: DiscrepancyKind;
  /** The business key. */
  key: string;
  /** The system whose record is missing, doubled, drifted or orphaned. */
  system: string;
  /** Ids of the records concerned in `system` (none when missing). */
  recordIds: string[];
  /** The compared field, for drift and mismatches. */
  field?: string;
  /** The source system's value. */
  expected?: FieldValue;
  /** `system`'s value. */
  actual?: FieldValue;
  /** Ids in the other systems, for the heal (e.g. `salesforce: 006…`). */
  context: Record<string, string>;
}

/** How a discrepancy's heal stands. */
export type HealStatus = 'none' | 'pending-approval' | 'healing' | 'healed' | 'failed' | 'manual' | 'rejected';

/** A discrepancy as the run history keeps it. */
export interface StoredDiscrepancy extends Discrepancy {
  id: number;
  runId: number;
  healStatus: HealStatus;
  healDetail: string | null;
  healedAt: string | null;
}
