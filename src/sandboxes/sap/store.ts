/**
 * The sandbox's records: one kit collection per entity set (so the admin summary counts them and a
 * state file keeps them), each record its stored values plus the change stamp its ETag is made
 * from, and the number ranges that give documents their numbers.
 */
import type { Collection, StateStore } from '../kit/index.ts';
import { keyId, setByName, type EntitySetDef } from './schema.ts';
import type { Stored } from './odata/values.ts';

/** One stored entity. */
export interface SapRecord {
  values: Record<string, Stored>;
  /** ISO time of the last change with a 7-digit fraction, unique per change. */
  changedAt: string;
}

/** Material master data the sales and availability services read (not served as an entity set). */
export interface Material {
  material: string;
  description: string;
  plant: string;
  unit: string;
  price: string;
  currency: string;
  /** Unrestricted stock at the plant. */
  stock: number;
}

/** Credit master data of a business partner in a segment. */
export interface CreditAccount {
  businessPartner: string;
  segment: string;
  limit: string;
  currency: string;
  /** Open items in accounting (receivables) not modelled by documents. */
  openItems: string;
}

/** Access to every collection. */
export class SapStore {
  readonly #kit: StateStore;
  readonly #ranges: Collection<{ next: number }>;
  #sequence = 0;
  // While a changeset runs: what each touched record was before, to put back if it fails.
  #journal: Array<() => void> | null = null;

  constructor(kit: StateStore) {
    this.#kit = kit;
    this.#ranges = kit.collection('numberRanges');
  }

  /** Records of a set, oldest first. */
  list(def: EntitySetDef): SapRecord[] {
    return this.#col(def).list();
  }

  /** The record with these key values. */
  get(def: EntitySetDef, key: Readonly<Record<string, unknown>>): SapRecord | undefined {
    return this.#col(def).get(keyId(def, key));
  }

  /** Stores a new record or replaces one, stamping the change. */
  put(def: EntitySetDef, values: Record<string, Stored>): SapRecord {
    const record = { values, changedAt: this.#stamp() };
    const id = keyId(def, values);
    this.#remember(this.#col(def), id);
    this.#col(def).put(id, record);
    return record;
  }

  /** Removes a record. */
  delete(def: EntitySetDef, values: Readonly<Record<string, unknown>>): void {
    const id = keyId(def, values);
    this.#remember(this.#col(def), id);
    this.#col(def).delete(id);
  }

  /** Runs `work` atomically: if it throws, every record it wrote is put back. */
  atomically<T>(work: () => T): T {
    // Nested (a write inside a changeset): the outer journal already covers it.
    if (this.#journal !== null) return work();
    const journal: Array<() => void> = [];
    this.#journal = journal;
    try {
      return work();
    } catch (err) {
      for (const undo of journal.reverse()) undo();
      throw err;
    } finally {
      this.#journal = null;
    }
  }

  #remember<T>(collection: Collection<T>, id: string): void {
    if (this.#journal === null) return;
    const previous = collection.get(id);
    this.#journal.push(() => (previous === undefined ? collection.delete(id) : collection.put(id, previous)));
  }

  /** The records a navigation property of `parent` leads to. */
  children(def: EntitySetDef, nav: string, parent: Readonly<Record<string, Stored>>): SapRecord[] {
    const navDef = def.navs[nav];
    if (navDef === undefined) return [];
    const target = setByName(navDef.target);
    const link = Object.entries(navDef.link);
    return this.list(target).filter((r) => link.every(([child, parentProp]) => r.values[child] === parent[parentProp]));
  }

  /** The next number of a number range, starting at `first`. */
  next(range: string, first: number): string {
    const current = this.#ranges.get(range)?.next ?? first;
    this.#remember(this.#ranges, range);
    this.#ranges.put(range, { next: current + 1 });
    return String(current);
  }

  /** Material master data. */
  get materials(): Collection<Material> {
    return this.#kit.collection('materials');
  }

  /** Credit master data, keyed `<partner>|<segment>`. */
  get credit(): Collection<CreditAccount> {
    return this.#kit.collection('creditAccounts');
  }

  #col(def: EntitySetDef): Collection<SapRecord> {
    return this.#kit.collection(def.name);
  }

  // A change stamp unique per change even within one millisecond: the sequence fills the fraction's last digits.
  #stamp(): string {
    this.#sequence = (this.#sequence + 1) % 10_000;
    const iso = new Date().toISOString();
    return `${iso.slice(0, 23)}${String(this.#sequence).padStart(4, '0')}Z`;
  }
}

/** The ETag of a record, in the form SAP's sales order service answers it. */
export function etagOf(record: SapRecord): string {
  return `W/"datetimeoffset'${encodeURIComponent(record.changedAt)}'"`;
}
