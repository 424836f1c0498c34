/**
 * Debian's Chromium driven by playwright-core, as the browser tests and the console benchmark use
 * it: never a browser download, a fresh profile per launch, headless with the network features
 * that would call home turned off. Outside CI a machine without /usr/bin/chromium skips the
 * browser tests with the reason; with CI=true they must run (`.ci/run` installs Chromium).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where Debian installs Chromium. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where screenshots go (git-ignored). */
export const ARTIFACTS = path.resolve(import.meta.dirname, '../../../test-artifacts/console');

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic',
];

/** Why the browser tests cannot run here, or `false` when they can (CI=true never skips). */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM) || process.env['CI'] === 'true') return false;
  return `${CHROMIUM} is missing (apt-get install -y chromium); browser tests skipped outside CI`;
}

/** A running browser: pages share nothing but the profile, and sessionStorage is per page. */
export interface Browser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh `--user-data-dir` (removed on close). */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'interlock-chromium-'));
  // playwright passes the profile as --user-data-dir itself (it refuses the flag in args).
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 900 } });
  return {
    context,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot (of the window, or the whole page) as test-artifacts/console/`name`.png; resolves to its path. */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** Opens the console at `base` and signs in with `key`. */
export async function signIn(page: Page, base: string, key: string): Promise<void> {
  await page.goto(`${base}/console/`);
  await page.getByTestId('key-input').fill(key);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('who').waitFor();
}
