/**
 * Background WAL checkpoints for the SQLite store. SQLite's automatic checkpoint runs inside
 * the commit that crosses the WAL size threshold, on the connection that commits — here the
 * event loop's only thread — copying pages into the database file and syncing both files while
 * every request waits. Instead, automatic checkpoints are turned off on the main connection and
 * a worker thread with its own connection runs PASSIVE checkpoints (they never wait for, nor
 * block, readers or writers) every few milliseconds. The main connection restarts the WAL from
 * its beginning once a checkpoint has copied all of it, as usual, so it stays small.
 */
import { Worker } from 'node:worker_threads';

/** How often the worker checkpoints. */
const INTERVAL_MS = 50;

// The worker's code: plain JavaScript, so it runs without the TypeScript loader.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.file);
db.exec('PRAGMA busy_timeout = 0');
const timer = setInterval(() => {
  try {
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or locked: the next round tries again.
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.exec('PRAGMA wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.close();
});
`;

/** A running background checkpointer; `stop()` ends it after a last checkpoint. */
export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Starts checkpointing the WAL of the database at `file` on a worker thread. `onFailure` is
 * called if the worker dies: the caller turns automatic checkpoints back on, or the WAL would grow
 * without bound.
 */
export function startCheckpointer(file: string, onFailure: (err: Error) => void, intervalMs = INTERVAL_MS): Checkpointer {
  const worker = new Worker(WORKER, { eval: true, workerData: { file, intervalMs } });
  // It must never keep the process alive by itself.
  worker.unref();
  let stopping: Promise<void> | undefined;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (err) => onFailure(err));
  worker.once('exit', (code) => {
    if (stopping === undefined) onFailure(new Error(`the checkpoint worker exited with code ${code}`));
  });
  return {
    stop: () => {
      stopping ??= (async () => {
        // Waiting for its exit must keep the process alive: unref'd, a CLI command closing its
        // store had nothing else left and ended with the close unsettled (exit code 13).
        worker.ref();
        worker.postMessage('stop');
        await exited;
      })();
      return stopping;
    },
  };
}
