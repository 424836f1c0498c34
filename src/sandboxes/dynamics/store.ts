/**
 * The sandbox's rows in kit collections (so a state file keeps them): one collection of rows
 * keyed `<logicalName>:<id>`, plus counters for the row version (a global sequence, as
 * Dataverse's `versionnumber` is) and document numbers. Alternate keys are looked up by scan:
 * the sandbox holds demo-sized tables.
 */
import type { Collection } from '../kit/index.ts';
import type { EntityDef } from './schema.ts';

/** A reference held by a lookup column. */
export interface RowRef {
  /** Target table's logical name. */
  target: string;
  /** Target row's id. */
  id: string;
}

/** A stored row. */
export interface Row {
  /** Logical name of its table. */
  readonly entity: string;
  /** Primary id (lower-case GUID). */
  readonly id: string;
  /** Plain column values (id, audit and state columns included). */
  values: Record<string, unknown>;
  /** Lookup column values. */
  refs: Record<string, RowRef | null>;
}

/** Rows and sequences. */
export class RowStore {
  readonly #rows: Collection<Row>;
  readonly #counters: Collection<{ n: number }>;

  constructor(rows: Collection<Row>, counters: Collection<{ n: number }>) {
    this.#rows = rows;
    this.#counters = counters;
  }

  /** The row of this table and id. */
  get(entity: EntityDef, id: string): Row | undefined {
    return this.#rows.get(`${entity.logicalName}:${id.toLowerCase()}`);
  }

  /** Every row of a table, oldest first. */
  list(entity: EntityDef): Row[] {
    return this.#rows.list().filter((r) => r.entity === entity.logicalName);
  }

  /** The row whose alternate-key columns equal `values` (strings compared case-insensitively). */
  findByKey(entity: EntityDef, values: Readonly<Record<string, string | number>>): Row | undefined {
    const wanted = Object.entries(values);
    return this.list(entity).find((row) => wanted.every(([column, v]) => sameValue(row.values[column], v)));
  }

  /** Inserts or replaces a row. */
  put(row: Row): void {
    this.#rows.put(`${row.entity}:${row.id}`, row);
  }

  /** Deletes a row. */
  delete(row: Row): void {
    this.#rows.delete(`${row.entity}:${row.id}`);
  }

  /** The next value of a named sequence. */
  next(sequence: string, start = 0): number {
    const n = (this.#counters.get(sequence)?.n ?? start) + 1;
    this.#counters.put(sequence, { n });
    return n;
  }
}

function sameValue(stored: unknown, wanted: string | number): boolean {
  if (typeof wanted === 'number') return stored === wanted;
  return typeof stored === 'string' && stored.toLowerCase() === wanted.toLowerCase();
}
