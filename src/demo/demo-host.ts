/**
 * Interlock with the four seeded sandboxes as its systems, in one process: what `npm start` runs
 * with no configuration file, and what `interlock demo` runs headless. The sandboxes start
 * first; Stripe's webhooks are pointed at this Interlock (its signing secret goes into the
 * `stripe` source); then the API server and a worker start on the story's configuration.
 */
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { InterlockError } from '../core/errors.ts';
import { loadConfig } from '../core/config.ts';
import type { SandboxInstance } from '../sandboxes/kit/index.ts';
import { startSandboxes } from '../sandboxes/registry.ts';
import type { Runtime } from '../cli/runtime.ts';
import { openRuntime } from '../cli/runtime.ts';
import { listenOrExplain } from '../cli/listen.ts';
import { demoConfigValues, registerStripeWebhook, sandboxConnectors, sandboxNamed } from './demo-config.ts';
import type { ScenarioContext } from './scenario.ts';

/** Options of {@link startDemoHost}. */
export interface DemoHostOptions {
  /** Configuration values besides the story's (store, server, log, a sample sink's source). */
  base: Record<string, unknown>;
  /** Where the sandboxes keep their state; in memory when absent. */
  sandboxStatePath?: string;
}

/** A running demo: sandboxes, runtime and server. */
export interface DemoHost {
  rt: Runtime;
  app: FastifyInstance;
  sandboxes: SandboxInstance[];
  /** `http://host:port` of the API. */
  baseUrl: string;
  /** What the scenario needs to drive this host. */
  scenario(print: (line: string) => void): ScenarioContext;
  close(): Promise<void>;
}

/** Starts the sandboxes, then Interlock on them (server listening, worker running). */
export async function startDemoHost(options: DemoHostOptions): Promise<DemoHost> {
  const sandboxes = await startSandboxes({ seed: true, ...(options.sandboxStatePath === undefined ? {} : { statePath: options.sandboxStatePath }) });
  let rt: Runtime | undefined;
  try {
    const base = { ...options.base };
    const server = loadConfig({ values: base }).server;
    // Stripe signs webhooks for one URL: with port 0 the port must be known before the config is.
    const port = server.port === 0 ? await freePort(server.host) : server.port;
    base['server'] = { ...(base['server'] as object | undefined), port };
    const baseUrl = `http://${server.host}:${port}`;
    const secret = await registerStripeWebhook(sandboxNamed(sandboxes, 'stripe'), `${baseUrl}/hooks/stripe`);
    rt = await openRuntime({ values: demoConfigValues(base, await sandboxConnectors(sandboxes), secret) });
    const { buildServer } = await import('../api/server.ts');
    const app = await buildServer({ config: rt.config, store: rt.store, engine: rt.engine, log: rt.log, systems: rt.systems });
    const opened = rt;
    await listenOrExplain(app, { host: server.host, port }, async () => {
      rt = undefined;
      await opened.close();
    });
    await rt.startWorker();
    const runtime = rt;
    const systems = rt.systems;
    if (systems === undefined) throw new InterlockError('unexpected', 'the demo configuration has no connectors');
    const stripe = sandboxNamed(sandboxes, 'stripe');
    return {
      rt: runtime,
      app,
      sandboxes,
      baseUrl,
      scenario: (print) => ({
        systems,
        runs: runtime.engine.flows.runs,
        deadLetters: async () => (await runtime.engine.deadLetters.list({}, 1000)).length,
        renew: async (subscription) => {
          const res = await fetch(`${stripe.url}/__sandbox/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subscription }) });
          if (res.status !== 200) throw new InterlockError('unexpected', `the Stripe sandbox did not renew ${subscription}: ${res.status} ${await res.text()}`);
        },
        print,
      }),
      close: async () => {
        await app.close();
        await runtime.close();
        await Promise.allSettled(sandboxes.map((s) => s.close()));
      },
    };
  } catch (err) {
    await rt?.close();
    await Promise.allSettled(sandboxes.map((s) => s.close()));
    throw err;
  }
}

/** A port nobody listens on now (another process could take it before we do; rare enough here). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
