/**
 * A running Interlock for tests: store, engine (worker loops on) and HTTP server on an ephemeral
 * port, with the given sources and destinations.
 */
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { systemClock } from '../../src/core/clock.ts';
import { loadConfig, type Config } from '../../src/core/config.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { Store } from '../../src/store/store.ts';
import { silentLog } from './engine-fixtures.ts';

/** A running test instance. */
export interface Harness {
  url: string;
  config: Config;
  engine: Engine;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Starts an instance on `store` with config `values` (sources, destinations, worker…). */
export async function startHarness(store: Store, values: Record<string, unknown>, options: { worker?: boolean } = {}): Promise<Harness> {
  const config = loadConfig({ values: { worker: { poll: '100ms', lease: '30s' }, outbound: { allow: ['127.0.0.1'] }, ...values, server: { ...(values.server as object | undefined), port: 0 } }, env: {} });
  const engine = new Engine({ store, config, clock: systemClock, log: silentLog });
  const app = await buildServer({ config, store, engine, log: silentLog });
  await app.listen({ host: '127.0.0.1', port: 0 });
  if (options.worker !== false) await engine.startWorker();
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    engine,
    app,
    async close() {
      await app.close();
      await engine.stop();
    },
  };
}

/** Polls `predicate` every 20 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await predicate()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return predicate();
}

/** POSTs JSON `body` (or raw text) to `url`. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; type: string; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
