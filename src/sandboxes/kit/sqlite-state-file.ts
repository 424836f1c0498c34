/**
 * The SQLite mirror behind a persisted {@link StateStore}: one table of JSON records with their
 * insertion order. Uses the built-in `node:sqlite`, so no native addon is needed.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

/** Write-through storage of sandbox records in one SQLite file. */
export class SqliteStateFile {
  readonly #db: DatabaseSync;
  readonly #put: StatementSync;
  readonly #delete: StatementSync;

  constructor(file: string) {
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

  /** Inserts or replaces one record. */
  put(collection: string, id: string, record: unknown): void {
    this.#put.run(collection, id, JSON.stringify(record));
  }

  /** Removes one record. */
  delete(collection: string, id: string): void {
    this.#delete.run(collection, id);
  }

  /** Removes every record. */
  clear(): void {
    this.#db.exec('DELETE FROM records');
  }

  /** Closes the file. */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
