/**
 * Builds the console (web/) into web/dist when its sources are newer than the build: `npm start`
 * runs it first (prestart), browser tests and the console benchmark call {@link ensureConsoleBuilt}.
 * A fresh clone thus serves a built console after `npm install && npm start`, and `npm test` pays
 * for a build only when web/ changed. `node web/build.ts --force` rebuilds whatever the times say.
 */
import { closeSync, existsSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The console's folder. */
export const WEB_DIR = path.dirname(fileURLToPath(import.meta.url));
const DIST_INDEX = path.join(WEB_DIR, 'dist', 'index.html');
const SOURCES = ['src', 'index.html', 'vite.config.ts', '../package-lock.json'];

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).map((f) => newest(path.join(p, f))));
}

/** Whether web/dist is missing or older than any source of the console. */
export function consoleBuildIsStale(): boolean {
  if (!existsSync(DIST_INDEX)) return true;
  const built = statSync(DIST_INDEX).mtimeMs;
  return SOURCES.some((s) => newest(path.join(WEB_DIR, s)) > built);
}

const LOCK = path.join(WEB_DIR, '.build.lock');
// A build takes seconds; a lock older than this was left by a killed process.
const STALE_LOCK_MS = 120_000;

/**
 * Takes the build lock (test files running in parallel each ask for the build; one builds, the
 * others wait and then find it up to date). Resolves to the release function.
 */
async function lock(): Promise<() => void> {
  for (;;) {
    try {
      closeSync(openSync(LOCK, 'wx'));
      return () => rmSync(LOCK, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Builds web/dist when stale (or when `force`); resolves to whether it built. */
export async function ensureConsoleBuilt(options: { force?: boolean; quiet?: boolean } = {}): Promise<boolean> {
  if (options.force !== true && !consoleBuildIsStale()) return false;
  const release = await lock();
  try {
    if (options.force !== true && !consoleBuildIsStale()) return false;
    // Vite is a devDependency: imported only when a build is due, so a production install without it still starts.
    const { build } = await import('vite');
    await build({ root: WEB_DIR, configFile: path.join(WEB_DIR, 'vite.config.ts'), logLevel: options.quiet === true ? 'error' : 'warn' });
    return true;
  } finally {
    release();
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const built = await ensureConsoleBuilt({ force: process.argv.includes('--force') });
    console.log(built ? 'console built into web/dist' : 'console is up to date (web/dist)');
  } catch (err) {
    // Without Vite (a production install) an existing build is served as is; say so, never a stack.
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    console.error(`interlock: the console could not be built (${why}); ${existsSync(DIST_INDEX) ? 'serving the previous build' : '/console will say it is not built'}`);
    // An explicit build must fail loudly; before `npm start` the server still starts.
    if (process.argv.includes('--force')) process.exitCode = 1;
  }
}
