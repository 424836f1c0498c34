/**
 * The Salesforce sandbox's records: a map of id → record, grouped by type, with transactions that
 * can roll back (allOrNone) and that report every committed change to a listener (Change Data
 * Capture). System fields are maintained here; type-specific rules live in `derive.ts`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Collection } from '../kit/index.ts';
import { makeId } from './ids.ts';
import { findType } from './schema.ts';
import type { SObjectType } from './schema.ts';
import { toSfDateTime } from './validate.ts';
import type { FieldValues } from './validate.ts';

/** A stored record. */
export interface StoredRecord {
  /** 18-character id. */
  readonly id: string;
  /** sObject type name. */
  readonly type: string;
  /** Field values by canonical name, system fields included. */
  fields: FieldValues;
  /** In the recycle bin (still visible to queryAll). */
  deleted: boolean;
}

/** A committed change, as Change Data Capture needs it. */
export interface RecordChange {
  /** sObject type. */
  readonly entityName: string;
  /** What happened. */
  readonly changeType: 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';
  /** The record's id. */
  readonly recordId: string;
  /** Names of the fields that changed (UPDATE) or were set (CREATE). */
  readonly changedFields: readonly string[];
  /** The values of those fields. */
  readonly values: FieldValues;
  /** Groups the changes of one request. */
  readonly transactionKey: string;
  /** Order within the transaction, from 1. */
  readonly sequenceNumber: number;
}

/** One unit of work: its changes are reported together, or undone together. */
export class Transaction {
  /** Transaction key reported in change events. */
  readonly key = randomUUID();
  /** Who made the change, as CDC's `changeOrigin` reports it. */
  readonly origin: string;
  /** Changes so far. */
  readonly changes: RecordChange[] = [];
  /** Undo steps, applied in reverse on rollback. */
  readonly undo: Array<() => void> = [];

  constructor(origin: string) {
    this.origin = origin;
  }

  /** Marks the current point, for {@link Transaction.rollbackTo} (one record of a partial-success batch). */
  savepoint(): { undo: number; changes: number } {
    return { undo: this.undo.length, changes: this.changes.length };
  }

  /** Undoes everything after a savepoint. */
  rollbackTo(point: { undo: number; changes: number }): void {
    for (const step of this.undo.splice(point.undo).reverse()) step();
    this.changes.splice(point.changes);
  }

  /** Records a change with the next sequence number. */
  note(change: Omit<RecordChange, 'transactionKey' | 'sequenceNumber'>): void {
    this.changes.push({ ...change, transactionKey: this.key, sequenceNumber: this.changes.length + 1 });
  }
}

/** The id of the integration user every change is made by. */
export const INTEGRATION_USER_ID = makeId('005', 1);

/**
 * Stores records (in a kit collection, so they persist when the sandbox has a state file) and runs
 * transactions over them. A by-type index is kept in memory for queries.
 */
export class RecordStore {
  readonly #records: Collection<StoredRecord>;
  readonly #counters: Collection<{ n: number }>;
  readonly #byType = new Map<string, Map<string, StoredRecord>>();
  // Per type, per field: lower-cased value → records. Built on first lookup, dropped on any write
  // to the type, so reads (SOQL subqueries, upsert matching) stop scanning whole tables.
  readonly #lookups = new Map<string, Map<string, Map<string, StoredRecord[]>>>();
  readonly #onCommit: (tx: Transaction) => void;
  readonly #batches = new AsyncLocalStorage<Transaction>();
  #version = 0;

  constructor(
    records: Collection<StoredRecord>,
    counters: Collection<{ n: number }>,
    onCommit: (tx: Transaction) => void,
  ) {
    this.#records = records;
    this.#counters = counters;
    this.#onCommit = onCommit;
    this.reload();
  }

  /** Rebuilds the index from the collection (after a reset or a restart from a state file). */
  reload(): void {
    this.#version += 1;
    this.#byType.clear();
    this.#lookups.clear();
    for (const r of this.#records.list()) {
      if (findType(r.type)) this.#index(r);
    }
  }

  /**
   * Runs `work` in a transaction: committed changes are reported, a throw undoes everything.
   * @param origin the CDC `changeOrigin`, e.g. `com/salesforce/api/rest/61.0`
   */
  transaction<T>(work: (tx: Transaction) => T, origin = ''): T {
    const outer = this.#batches.getStore();
    if (outer) {
      // Inside an all-or-none batch: join it; a failure undoes only this part, the batch decides the rest.
      const point = outer.savepoint();
      try {
        return work(outer);
      } catch (err) {
        outer.rollbackTo(point);
        throw err;
      }
    }
    const tx = new Transaction(origin);
    try {
      const result = work(tx);
      if (tx.changes.length > 0) this.#onCommit(tx);
      return result;
    } catch (err) {
      for (const step of tx.undo.reverse()) step();
      throw err;
    }
  }

  /**
   * Runs async `work` (several API calls, e.g. a composite request) as one transaction: every
   * {@link RecordStore.transaction} started within it joins it. Committed when `work` resolves
   * true, undone otherwise or when it throws.
   */
  async batch(origin: string, work: () => Promise<boolean>): Promise<void> {
    const tx = new Transaction(origin);
    let commit = false;
    try {
      commit = await this.#batches.run(tx, work);
    } finally {
      if (commit) {
        if (tx.changes.length > 0) this.#onCommit(tx);
      } else {
        for (const step of tx.undo.reverse()) step();
      }
    }
  }

  /** Changes whenever any record changes, so readers can keep results until then. */
  get version(): number {
    return this.#version;
  }

  /** A record by id, deleted ones included. */
  get(id: string): StoredRecord | undefined {
    return this.#records.get(id);
  }

  /** Records of a type; deleted ones only when asked. */
  list(type: string, includeDeleted = false): StoredRecord[] {
    const all = [...(this.#byType.get(type)?.values() ?? [])];
    return includeDeleted ? all : all.filter((r) => !r.deleted);
  }

  /** Live records of a type whose field equals a value (case-insensitive for strings, as external ids are). */
  findBy(type: string, field: string, value: string): StoredRecord[] {
    let fields = this.#lookups.get(type);
    if (!fields) {
      fields = new Map();
      this.#lookups.set(type, fields);
    }
    let index = fields.get(field);
    if (!index) {
      index = new Map();
      for (const r of this.#byType.get(type)?.values() ?? []) {
        const v = r.fields[field];
        if (v === null || v === undefined) continue;
        const key = String(v).toLowerCase();
        const bucket = index.get(key);
        if (bucket) bucket.push(r);
        else index.set(key, [r]);
      }
      fields.set(field, index);
    }
    return (index.get(value.toLowerCase()) ?? []).filter((r) => !r.deleted);
  }

  /** Inserts a record with system fields; `values` must already be validated. */
  insert(tx: Transaction, type: SObjectType, values: FieldValues): StoredRecord {
    const n = (this.#counters.get(type.keyPrefix)?.n ?? 0) + 1;
    this.#counters.put(type.keyPrefix, { n });
    const id = makeId(type.keyPrefix, n);
    const now = toSfDateTime(new Date());
    const fields: FieldValues = {};
    for (const f of type.fields) fields[f.name] = null;
    Object.assign(fields, values, {
      Id: id,
      IsDeleted: false,
      CreatedDate: now,
      CreatedById: INTEGRATION_USER_ID,
      LastModifiedDate: now,
      LastModifiedById: INTEGRATION_USER_ID,
      SystemModstamp: now,
    });
    if ('OwnerId' in fields && fields['OwnerId'] === null) fields['OwnerId'] = INTEGRATION_USER_ID;
    const record: StoredRecord = { id, type: type.name, fields, deleted: false };
    this.#put(record);
    tx.undo.push(() => this.#drop(record));
    this.#touch(type.name);
    tx.note({ entityName: type.name, changeType: 'CREATE', recordId: id, changedFields: [], values: withoutNulls(fields) });
    return record;
  }

  /** Applies field values; returns the names that really changed (none → nothing recorded). */
  update(tx: Transaction, record: StoredRecord, values: FieldValues): string[] {
    const changed = Object.keys(values).filter((k) => !sameValue(record.fields[k], values[k]));
    if (changed.length === 0) return [];
    const before = { ...record.fields };
    tx.undo.push(() => {
      record.fields = before;
      this.#records.put(record.id, record);
      this.#touch(record.type);
    });
    this.#touch(record.type);
    const now = toSfDateTime(new Date());
    record.fields = { ...record.fields, ...values, LastModifiedDate: now, SystemModstamp: now };
    this.#records.put(record.id, record);
    const reported = [...changed, 'LastModifiedDate'];
    const reportedValues: FieldValues = {};
    for (const k of reported) reportedValues[k] = record.fields[k];
    tx.note({ entityName: record.type, changeType: 'UPDATE', recordId: record.id, changedFields: reported, values: reportedValues });
    return changed;
  }

  /** Moves a record to the recycle bin. */
  remove(tx: Transaction, record: StoredRecord): void {
    const before = { ...record.fields };
    record.deleted = true;
    record.fields = { ...record.fields, IsDeleted: true, SystemModstamp: toSfDateTime(new Date()) };
    this.#records.put(record.id, record);
    tx.undo.push(() => {
      record.deleted = false;
      record.fields = before;
      this.#records.put(record.id, record);
      this.#touch(record.type);
    });
    this.#touch(record.type);
    tx.note({ entityName: record.type, changeType: 'DELETE', recordId: record.id, changedFields: [], values: {} });
  }

  #touch(type: string): void {
    this.#version += 1;
    this.#lookups.delete(type);
  }

  #put(record: StoredRecord): void {
    this.#records.put(record.id, record);
    this.#index(record);
  }

  #index(record: StoredRecord): void {
    let typed = this.#byType.get(record.type);
    if (!typed) {
      typed = new Map();
      this.#byType.set(record.type, typed);
    }
    typed.set(record.id, record);
  }

  #drop(record: StoredRecord): void {
    this.#touch(record.type);
    this.#records.delete(record.id);
    this.#byType.get(record.type)?.delete(record.id);
  }
}

function withoutNulls(fields: FieldValues): FieldValues {
  const out: FieldValues = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v !== null && k !== 'IsDeleted' && k !== 'SystemModstamp') out[k] = v;
  }
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  return (a ?? null) === (b ?? null);
}
