/**
 * What reconciliation compares: a canonical projection of one vendor record, reduced to its
 * business key and the few fields a job checks. Projections are small on purpose; the job reads
 * the full record again only to heal it.
 */

/** A compared value: canonical vocabulary (ISO currency, canonical status, major-unit amount). */
export type FieldValue = string | number | null;

/** One record of one system, as a job's comparison sees it. */
export interface Projection {
  /** The business key the systems share (e.g. the Salesforce Opportunity Id). */
  key: string;
  /** The record's own id in its system. */
  id: string;
  /** The compared fields, by canonical name. */
  fields: Readonly<Record<string, FieldValue>>;
  /** Ids a heal needs (a linked subscription, an account), never compared. */
  context?: Readonly<Record<string, string>>;
}

/** One system's side of a job. */
export interface Side {
  /** The system's name, e.g. `salesforce`. */
  system: string;
  /**
   * The side's records. `sorted` sides yield ascending keys in binary (code unit) order; other
   * sides are spilled to the store and re-read in that order.
   */
  read(): AsyncIterable<Projection>;
  /** The same records in batches, for readers that get them in blocks (files, pages). */
  readBatches?(): AsyncIterable<readonly Projection[]>;
  /** Whether {@link read} already yields keys in ascending binary order. @default false */
  sorted?: boolean;
}

/** Binary order of keys, the one the merge join and the spill table agree on. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
