/**
 * The NetSuite sandbox's records in a kit collection (so a state file persists them), with
 * internal ids allocated per id space: items share one sequence, transactions another, as
 * NetSuite's internal ids do.
 */
import type { Collection } from '../kit/index.ts';
import { findRecordType } from './schema.ts';
import type { NsRecordType } from './schema.ts';

/** A stored record. */
export interface NsRecord {
  /** REST record type, e.g. `salesOrder`. */
  readonly type: string;
  /** Internal id (a decimal string). */
  readonly id: string;
  /** Body fields; references hold the target's internal id. */
  fields: Record<string, unknown>;
  /** Sublist lines by sublist name. */
  sublists: Record<string, Array<Record<string, unknown>>>;
}

/** Fields whose values identify a record within its type, indexed for upserts and uniqueness checks. */
const UNIQUE_FIELDS = ['externalId', 'entityId'];

/** Stores records and allocates internal ids. */
export class NsStore {
  readonly #records: Collection<NsRecord>;
  readonly #counters: Collection<{ n: number }>;
  readonly #unique = new Map<string, string>();
  // Collection keys of the records naming each customer (`entity`, or `customer` on payments),
  // so a transaction write recomputes its customer's balance without scanning every record.
  readonly #byCustomer = new Map<string, Set<string>>();

  constructor(records: Collection<NsRecord>, counters: Collection<{ n: number }>) {
    this.#records = records;
    this.#counters = counters;
    this.reload();
  }

  /** Rebuilds the in-memory index (after a reset or a restart from a state file). */
  reload(): void {
    this.#unique.clear();
    this.#byCustomer.clear();
    for (const r of this.#records.list()) this.#index(r, true);
  }

  /** The records of `types` that belong to customer `customerId` (its transactions), in the order they were last written. */
  ofCustomer(customerId: string, types: ReadonlySet<string>): NsRecord[] {
    const out: NsRecord[] = [];
    for (const key of this.#byCustomer.get(customerId) ?? []) {
      const record = this.#records.get(key);
      if (record !== undefined && types.has(record.type)) out.push(record);
    }
    return out;
  }

  /** The id of the record of `type` whose unique `field` (`externalId`, `entityId`) equals `value`. */
  findUnique(type: string, field: string, value: string): string | undefined {
    return this.#unique.get(`${type}|${field}|${value.toLowerCase()}`);
  }

  /** The record of this type and id, if any. */
  get(type: NsRecordType, id: string): NsRecord | undefined {
    const record = this.#records.get(`${type.idSpace}:${id}`);
    return record && record.type === type.name ? record : undefined;
  }

  /** The record with this id in any of the given types. */
  getAny(types: readonly NsRecordType[], id: string): NsRecord | undefined {
    for (const t of types) {
      const r = this.get(t, id);
      if (r) return r;
    }
    return undefined;
  }

  /** All records of some types, oldest first. */
  list(types: ReadonlySet<string>): NsRecord[] {
    return this.#records.list().filter((r) => types.has(r.type));
  }

  /** The record of this type with this external id. */
  byExternalId(type: NsRecordType, externalId: string): NsRecord | undefined {
    const id = this.findUnique(type.name, 'externalId', externalId);
    return id === undefined ? undefined : this.get(type, id);
  }

  /** Allocates the next internal id of a type's id space. */
  nextId(type: NsRecordType): string {
    // Setup records (subsidiaries, currencies) count from 1 as in a new account; the rest from 101.
    const start = type.idSpace === 'subsidiary' || type.idSpace === 'currency' ? 0 : 100;
    const n = (this.#counters.get(type.idSpace)?.n ?? start) + 1;
    this.#counters.put(type.idSpace, { n });
    return String(n);
  }

  /** Allocates the next number of a named sequence (document numbers). */
  nextNumber(sequence: string): number {
    const n = (this.#counters.get(sequence)?.n ?? 0) + 1;
    this.#counters.put(sequence, { n });
    return n;
  }

  /** Inserts or replaces a record. */
  put(type: NsRecordType, record: NsRecord): void {
    const old = this.get(type, record.id);
    if (old) this.#index(old, false);
    this.#records.put(`${type.idSpace}:${record.id}`, record);
    this.#index(record, true);
  }

  /** Deletes a record. */
  delete(type: NsRecordType, id: string): boolean {
    const old = this.get(type, id);
    if (old) this.#index(old, false);
    return this.#records.delete(`${type.idSpace}:${id}`);
  }

  #index(record: NsRecord, add: boolean): void {
    const owner = record.fields['entity'] ?? record.fields['customer'];
    if (typeof owner === 'string') {
      const key = keyOf(record);
      let keys = this.#byCustomer.get(owner);
      if (add) {
        if (keys === undefined) this.#byCustomer.set(owner, (keys = new Set()));
        keys.add(key);
      } else if (keys !== undefined) {
        keys.delete(key);
        if (keys.size === 0) this.#byCustomer.delete(owner);
      }
    }
    for (const field of UNIQUE_FIELDS) {
      const v = record.fields[field];
      if (typeof v !== 'string' || v === '') continue;
      const key = `${record.type}|${field}|${v.toLowerCase()}`;
      if (add) this.#unique.set(key, record.id);
      else if (this.#unique.get(key) === record.id) this.#unique.delete(key);
    }
  }
}

// A record's key in the collection: its type's id space and its internal id.
function keyOf(record: NsRecord): string {
  return `${findRecordType(record.type)?.idSpace ?? record.type}:${record.id}`;
}
