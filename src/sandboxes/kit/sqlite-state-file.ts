/**
 * The SQLite mirror behind a persisted {@link StateStore}: one table of JSON records with their
 * insertion order. Uses the built-in `node:sqlite`, so no native addon is needed.
 *
 * Writes are gathered and applied once per event-loop turn, in one transaction: a request that
 * changes three records costs one commit instead of three, and a record changed many times in a
 * turn is serialised once. The file is a demo's memory across restarts, not a journal, so a
 * crash may lose the last turn's writes; `close()` and `clear()` flush first.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

// A pending write: the record to store (serialised at flush, so the latest state is written),
// or DELETED; `moved` when the record was deleted and put again in the same turn, which sends it
// to the end of the order, as in memory.
const DELETED = Symbol('deleted');
interface Pending {
  collection: string;
  id: string;
  record: unknown;
  moved: boolean;
}

/** Write-behind storage of sandbox records in one SQLite file. */
export class SqliteStateFile {
  readonly #file: string;
  readonly #db: DatabaseSync;
  readonly #put: StatementSync;
  readonly #delete: StatementSync;
  readonly #pending = new Map<string, Pending>();
  #scheduled = false;

  constructor(file: string) {
    this.#file = file;
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.#db = new DatabaseSync(file);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS records (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        collection TEXT NOT NULL,
        id TEXT NOT NULL,
        json TEXT NOT NULL,
        UNIQUE (collection, id)
      );`);
    // ON CONFLICT keeps the row (and its seq), so a replaced record keeps its place.
    this.#put = this.#db.prepare(
      'INSERT INTO records (collection, id, json) VALUES (?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET json = excluded.json',
    );
    this.#delete = this.#db.prepare('DELETE FROM records WHERE collection = ? AND id = ?');
  }

  /** Calls `each` for every stored record, oldest first. */
  load(each: (collection: string, id: string, record: unknown) => void): void {
    const rows = this.#db.prepare('SELECT collection, id, json FROM records ORDER BY seq').all();
    for (const row of rows) each(String(row.collection), String(row.id), JSON.parse(String(row.json)));
  }

  /** Inserts or replaces one record (written at the end of this turn). */
  put(collection: string, id: string, record: unknown): void {
    const key = `${collection}\u0000${id}`;
    const pending = this.#pending.get(key);
    if (pending !== undefined && pending.record !== DELETED) pending.record = record;
    else {
      // Deleted and put again: it goes to the end, after the records first written since.
      this.#pending.delete(key);
      this.#pending.set(key, { collection, id, record, moved: pending !== undefined });
    }
    this.#schedule();
  }

  /** Removes one record (at the end of this turn). */
  delete(collection: string, id: string): void {
    const key = `${collection}\u0000${id}`;
    const pending = this.#pending.get(key);
    if (pending === undefined) this.#pending.set(key, { collection, id, record: DELETED, moved: false });
    else pending.record = DELETED;
    this.#schedule();
  }

  /** Writes the pending changes now, in one transaction. */
  flush(): void {
    if (this.#pending.size === 0 || !this.#db.isOpen) return;
    this.#db.exec('BEGIN');
    try {
      for (const { collection, id, record, moved } of this.#pending.values()) {
        if (record === DELETED || moved) this.#delete.run(collection, id);
        if (record !== DELETED) this.#put.run(collection, id, JSON.stringify(record));
      }
      this.#db.exec('COMMIT');
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    } finally {
      this.#pending.clear();
    }
  }

  /** Removes every record. */
  clear(): void {
    this.#pending.clear();
    this.#db.exec('DELETE FROM records');
  }

  /** Writes what is pending and closes the file. */
  close(): void {
    if (!this.#db.isOpen) return;
    this.flush();
    this.#db.close();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      try {
        this.flush();
      } catch (err) {
        // No request is waiting for this write any more: say so rather than crash the sandbox.
        process.emitWarning(`sandbox state file ${this.#file}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }
}
