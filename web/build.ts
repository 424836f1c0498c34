/**
 * Builds the console (web/) into web/dist when its sources are newer than the build: `npm start`
 * runs it first (prestart), browser tests and the console benchmark call {@link ensureConsoleBuilt}.
 * A fresh clone thus serves a built console after `npm install && npm start`, and `npm test` pays
 * for a build only when web/ changed. `node web/build.ts --force` rebuilds whatever the times say.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
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

/** Builds web/dist when stale (or when `force`); resolves to whether it built. */
export async function ensureConsoleBuilt(options: { force?: boolean; quiet?: boolean } = {}): Promise<boolean> {
  if (options.force !== true && !consoleBuildIsStale()) return false;
  // Vite is a devDependency: imported only when a build is due, so a production install without it still starts.
  const { build } = await import('vite');
  await build({ root: WEB_DIR, configFile: path.join(WEB_DIR, 'vite.config.ts'), logLevel: options.quiet === true ? 'error' : 'warn' });
  return true;
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
