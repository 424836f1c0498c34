/**
 * A sandbox's state: named collections of JSON records kept in insertion order. In memory by
 * default; given a file path, every write is mirrored to SQLite (`sqlite-state-file.ts`) and the
 * collections are reloaded from it on start, so a demo survives a restart.
 */
import { SqliteStateFile } from './sqlite-state-file.ts';

/** One named collection of records, keyed by id, in insertion order. */
export interface Collection<T> {
  /** The record with this id, or undefined. Change it only through {@link Collection.put}. */
  get(id: string): T | undefined;
  /** Inserts or replaces a record; a replaced record keeps its place in the order. */
  put(id: string, record: T): void;
  /** Removes a record; returns whether it existed. */
  delete(id: string): boolean;
  /** All records, oldest first. */
  list(): T[];
  /** Number of records. */
  readonly size: number;
}

/** Every collection of one sandbox. */
export interface StateStore {
  /** The collection of that name, created empty on first use. */
  collection<T>(name: string): Collection<T>;
  /** Record counts per collection (for the admin state summary). */
  counts(): Record<string, number>;
  /** Empties every collection (and the file). */
  reset(): void;
  /** Closes the file, if any. */
  close(): void;
}

/** Opens a store: in memory, or mirrored to the SQLite file at `statePath`. */
export function openStateStore(statePath?: string): StateStore {
  return new MapStateStore(statePath === undefined ? null : new SqliteStateFile(statePath));
}

class MapStateStore implements StateStore {
  readonly #maps = new Map<string, Map<string, unknown>>();
  readonly #file: SqliteStateFile | null;

  constructor(file: SqliteStateFile | null) {
    this.#file = file;
    file?.load((collection, id, record) => this.#map(collection).set(id, record));
  }

  collection<T>(name: string): Collection<T> {
    const map = this.#map(name) as Map<string, T>;
    const file = this.#file;
    return {
      get: (id) => map.get(id),
      put: (id, record) => {
        map.set(id, record);
        file?.put(name, id, record);
      },
      delete: (id) => {
        file?.delete(name, id);
        return map.delete(id);
      },
      list: () => [...map.values()],
      get size() {
        return map.size;
      },
    };
  }

  counts(): Record<string, number> {
    return Object.fromEntries([...this.#maps].map(([name, map]) => [name, map.size]));
  }

  reset(): void {
    for (const map of this.#maps.values()) map.clear();
    this.#file?.clear();
  }

  close(): void {
    this.#file?.close();
  }

  #map(name: string): Map<string, unknown> {
    let map = this.#maps.get(name);
    if (map === undefined) {
      map = new Map();
      this.#maps.set(name, map);
    }
    return map;
  }
}
