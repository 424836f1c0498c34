/**
 * Makes committed SQLite transactions durable without blocking the event loop. node:sqlite is
 * synchronous: with `synchronous=FULL` every commit's fsync stalls the whole process (intake,
 * routing, deliveries) for as long as the disk takes. Durable transactions instead commit with
 * `synchronous=NORMAL` — the WAL frames reach the OS, a process crash loses nothing — and are
 * then acknowledged only after an fsync of the WAL file, run on libuv's thread pool. fsync
 * flushes the file whoever wrote it, so it covers every commit made before it started; callers
 * arriving while one is under way share the next one.
 *
 * Why this is as safe as `synchronous=FULL`: SQLite only rewrites WAL frames after a checkpoint
 * has copied them into the database file, and in NORMAL mode a checkpoint syncs the WAL before
 * and the database after. If the WAL file is gone (the last connection closed and checkpointed
 * it), the database file is synced instead.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Flushes a file to stable storage. */
export type Fsync = () => Promise<void>;

/** Coalescing fsync: every `sync()` resolves after an fsync that started after the call. */
export class WalSync {
  readonly #fsync: Fsync;
  #inFlight: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  /** fsyncs performed since start (tests, diagnostics). */
  count = 0;

  constructor(fsync: Fsync) {
    this.#fsync = fsync;
  }

  /** Resolves once everything committed before this call is on stable storage. */
  sync(): Promise<void> {
    if (this.#inFlight === undefined) {
      this.count += 1;
      this.#inFlight = this.#fsync().finally(() => {
        this.#inFlight = undefined;
      });
      return this.#inFlight;
    }
    // The fsync under way may have started before the caller's commit: wait for the one after it,
    // shared by everyone who arrives meanwhile.
    this.#next ??= this.#inFlight.then(
      () => this.#startNext(),
      () => this.#startNext(),
    );
    return this.#next;
  }

  #startNext(): Promise<void> {
    this.#next = undefined;
    return this.sync();
  }
}

/**
 * An {@link Fsync} of the WAL of the SQLite database at `file` (its database file while there is
 * no WAL yet), and a function that closes the file it keeps open. The WAL is opened once: SQLite
 * reuses the same file (it restarts it from the top, or truncates it, but does not replace it)
 * for as long as a connection — this store's — is open.
 */
export function walFsync(file: string): { fsync: Fsync; close: () => Promise<void> } {
  let wal: FileHandle | undefined;
  let closed = false;
  const fsync = async () => {
    if (closed) throw new Error(`${file}: the store is closed`);
    if (wal === undefined) {
      try {
        wal = await open(`${file}-wal`, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        const db = await open(file, 'r');
        try {
          await db.sync();
        } finally {
          await db.close();
        }
        return;
      }
    }
    await wal.sync();
  };
  const close = async () => {
    closed = true;
    await wal?.close();
    wal = undefined;
  };
  return { fsync, close };
}
