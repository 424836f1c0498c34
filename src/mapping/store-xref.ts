/** The {@link XrefRepository} over the store's `xrefs` table (SQLite or PostgreSQL). */
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import { systemClock } from '../core/clock.ts';
import type { XrefLink, XrefRepository } from './xref.ts';

// Keeps IN lists well under both databases' bound-parameter limits.
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Cross-references kept in the store. */
export class StoreXrefRepository implements XrefRepository {
  readonly #store: Store;
  readonly #clock: Clock;

  /** Uses `store`; `clock` stamps new links. */
  constructor(store: Store, clock: Clock = systemClock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Records a link; linking the same external object again is a no-op. */
  async link(link: XrefLink): Promise<void> {
    await this.#store.db
      .insertInto('xrefs')
      .values({
        canonical_type: link.canonicalType,
        canonical_id: link.canonicalId,
        system: link.system,
        object_type: link.objectType,
        external_id: link.externalId,
        created_at: this.#clock.now(),
      })
      .onConflict((oc) => oc.columns(['system', 'object_type', 'external_id', 'canonical_type']).doNothing())
      .execute();
  }

  /** Canonical ids of the given external ids, in one query per 500 ids. */
  async findCanonical(canonicalType: string, system: string, objectType: string, externalIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const ids of chunks([...new Set(externalIds)])) {
      const rows = await this.#store.db
        .selectFrom('xrefs')
        .select(['external_id', 'canonical_id'])
        .where('canonical_type', '=', canonicalType)
        .where('system', '=', system)
        .where('object_type', '=', objectType)
        .where('external_id', 'in', ids)
        .execute();
      for (const r of rows) out.set(r.external_id, r.canonical_id);
    }
    return out;
  }

  /** External ids of the given canonical ids, in one query per 500 ids. */
  async findExternal(canonicalType: string, canonicalIds: readonly string[], system: string, objectType: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const ids of chunks([...new Set(canonicalIds)])) {
      const rows = await this.#store.db
        .selectFrom('xrefs')
        .select(['external_id', 'canonical_id'])
        .where('canonical_type', '=', canonicalType)
        .where('system', '=', system)
        .where('object_type', '=', objectType)
        .where('canonical_id', 'in', ids)
        .orderBy('created_at')
        .execute();
      // The first link made wins, so an id re-linked later does not silently change answers.
      for (const r of rows) if (!out.has(r.canonical_id)) out.set(r.canonical_id, r.external_id);
    }
    return out;
  }
}
