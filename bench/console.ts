/**
 * The console's first load: time from navigation start to the overview rendered with its data
 * (the KPI tiles in the DOM, timed by the page itself), in Debian's Chromium with an empty cache each time, from Interlock serving the
 * built bundle — against a static page of the same size class served by the same server (the
 * baseline: the browser and the server's floor). A second line reports the bundle's size in
 * bytes (gzip beside it), against that static page's. The budget: under 1 s.
 */
import { readdirSync, readFileSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildServer } from '../src/api/server.ts';
import { CONSOLE_DIST } from '../src/api/console.ts';
import { systemClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { Engine } from '../src/engine/engine.ts';
import { FlowRegistry } from '../src/engine/flows/registry.ts';
import { ApiKeys } from '../src/security/api-keys.ts';
import { AuditLog } from '../src/security/audit-log.ts';
import { openStore } from '../src/store/open-store.ts';
import { launchBrowser } from '../test/console/support/browser.ts';
import { silentLog } from '../test/support/engine-fixtures.ts';
import { ensureConsoleBuilt } from '../web/build.ts';
import { percentile, report, type BenchOptions } from './report.ts';

const STATIC_PAGE = '<!doctype html><meta charset="utf-8"><title>static</title><h1>Overview</h1><div data-testid="kpis">42</div>\n';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Runs the benchmark. */
export default async function bench(options: BenchOptions): Promise<void> {
  const rounds = options.quick ? 5 : 20;
  await ensureConsoleBuilt({ quiet: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-bench-console-'));
  const store = await openStore({ kind: 'sqlite', sqlitePath: path.join(dir, 'interlock.db') });
  const config = loadConfig({ values: { server: { port: 0 } }, env: {} });
  const engine = new Engine({ store, config, clock: systemClock, log: silentLog, flows: new FlowRegistry() });
  const app = await buildServer({ config, store, engine, log: silentLog });
  app.get('/bench-static', (_req, reply) => reply.type('text/html; charset=utf-8').send(STATIC_PAGE));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const { key } = await new ApiKeys(store, new AuditLog(store, systemClock), systemClock).create({ role: 'viewer', label: 'bench', actor: 'bench' });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    // The moment the overview's tiles enter the page, on the page's own clock (0 = navigation
    // start): the test driver's polling would add its own delay to anything timed from outside.
    // (A string: this file is type-checked for Node, without the DOM's types.)
    await page.addInitScript({
      content: `sessionStorage.setItem('interlock.console.key', ${JSON.stringify(key)});
        new MutationObserver((_m, o) => {
          if (document.querySelector('[data-testid="kpis"]') === null) return;
          window.kpisAt = performance.now();
          o.disconnect();
        }).observe(document, { childList: true, subtree: true });`,
    });
    const cdp = await browser.context.newCDPSession(page);
    const time = async (url: string): Promise<number> => {
      await page.goto('about:blank');
      await cdp.send('Network.clearBrowserCache');
      await page.goto(url);
      await page.getByTestId('kpis').waitFor({ timeout: 10_000 });
      return (await page.evaluate('window.kpisAt')) as number;
    };
    await time(`${base}/console/`); // warm the server's first-request paths, as a running server has
    await time(`${base}/bench-static`);
    const ours: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < rounds; i++) {
      ours.push(await time(`${base}/console/`));
      floor.push(await time(`${base}/bench-static`));
    }
    const p50 = percentile(ours, 50);
    report(
      { bench: 'console', case: 'first-load', metric: 'overview_rendered_ms', value: p50, unit: 'ms', baseline: percentile(floor, 50), p95_ms: percentile(ours, 95), rounds, budget_ms: 1000, within_budget: percentile(ours, 95) < 1000 },
      'lower',
    );
    const built = files(CONSOLE_DIST);
    const bytes = built.reduce((n, f) => n + statSync(f).size, 0);
    const gzip = built.reduce((n, f) => n + gzipSync(readFileSync(f)).length, 0);
    report({ bench: 'console', case: 'bundle', metric: 'bytes', value: bytes, unit: 'B', baseline: Buffer.byteLength(STATIC_PAGE), gzip_bytes: gzip, files: built.length }, 'lower');
  } finally {
    await browser.close();
    await app.close();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
