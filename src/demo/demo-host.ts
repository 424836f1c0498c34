/**
 * Interlock with the seeded sandboxes as its systems, in one process: what `npm start` runs with
 * no configuration file, and what `interlock demo` runs headless. The sandboxes start first;
 * Stripe's webhooks are pointed at this Interlock (its signing secret goes into the `stripe`
 * source); with the Dynamics 365 and SAP sandboxes running too, the manufacturer story is
 * configured beside the first (Dataverse's webhook registered at start, SAP's Event Mesh
 * subscribed to `/hooks/sap`, canonical events published to a recording "analytics" sink); then
 * the API server and a worker start on that configuration.
 */
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { InterlockError } from '../core/errors.ts';
import { loadConfig } from '../core/config.ts';
import type { SandboxInstance } from '../sandboxes/kit/index.ts';
import { startSandboxes } from '../sandboxes/registry.ts';
import { startSink, type Sink } from '../sandboxes/sink/sink.ts';
import type { Runtime } from '../cli/runtime.ts';
import { openRuntime } from '../cli/runtime.ts';
import { listenOrExplain } from '../cli/listen.ts';
import { demoConfigValues, registerStripeWebhook, sandboxConnectors, sandboxNamed } from './demo-config.ts';
import { canonicalTypes, manufacturerConnectors, subscribeSapEvents, type ManufacturerScenarioContext } from './manufacturer.ts';
import type { ScenarioContext } from './scenario.ts';

/** Options of {@link startDemoHost}. */
export interface DemoHostOptions {
  /** Configuration values besides the story's (store, server, log, a sample sink's source). */
  base: Record<string, unknown>;
  /** Where the sandboxes keep their state; in memory when absent. */
  sandboxStatePath?: string;
  /** Configure the manufacturer story (Dynamics 365, SAP) beside the first. @default true */
  manufacturer?: boolean;
}

/** A running demo: sandboxes, runtime and server. */
export interface DemoHost {
  rt: Runtime;
  app: FastifyInstance;
  sandboxes: SandboxInstance[];
  /** `http://host:port` of the API. */
  baseUrl: string;
  /** Where the manufacturer story's canonical events are published (undefined without that story). */
  analytics: Sink | undefined;
  /** What the scenario needs to drive this host. */
  scenario(print: (line: string) => void): ScenarioContext;
  /** What the manufacturer scenario needs; undefined when that story is not configured. */
  manufacturerScenario(print: (line: string) => void): ManufacturerScenarioContext | undefined;
  close(): Promise<void>;
}

/** Starts the sandboxes, then Interlock on them (server listening, worker running). */
export async function startDemoHost(options: DemoHostOptions): Promise<DemoHost> {
  const withManufacturer = options.manufacturer ?? true;
  const only = withManufacturer ? undefined : ['stripe', 'avalara', 'salesforce', 'netsuite'];
  const sandboxes = await startSandboxes({ seed: true, ...(only === undefined ? {} : { only }), ...(options.sandboxStatePath === undefined ? {} : { statePath: options.sandboxStatePath }) });
  let rt: Runtime | undefined;
  let analytics: Sink | undefined;
  try {
    const base = { ...options.base };
    const server = loadConfig({ values: base }).server;
    // Stripe signs webhooks for one URL: with port 0 the port must be known before the config is.
    const port = server.port === 0 ? await freePort(server.host) : server.port;
    base['server'] = { ...(base['server'] as object | undefined), port };
    const baseUrl = `http://${server.host}:${port}`;
    const secret = await registerStripeWebhook(sandboxNamed(sandboxes, 'stripe'), `${baseUrl}/hooks/stripe`);
    let connectors = await sandboxConnectors(sandboxes);
    if (withManufacturer) {
      const sap = sandboxNamed(sandboxes, 'sap');
      connectors = { ...connectors, ...(await manufacturerConnectors(sandboxNamed(sandboxes, 'dynamics'), sap, baseUrl)) };
      await subscribeSapEvents(sap, `${baseUrl}/hooks/sap`);
      analytics = await startSink();
      const destinations = (base['destinations'] ?? {}) as Record<string, unknown>;
      base['destinations'] = { ...destinations, analytics: { url: `${analytics.url}/ok` } };
      base['flows'] = { ...(base['flows'] as object | undefined), manufacturer: { publishTo: 'analytics' } };
    }
    rt = await openRuntime({ values: demoConfigValues(base, connectors, secret) });
    const { buildServer } = await import('../api/server.ts');
    const app = await buildServer({ config: rt.config, store: rt.store, engine: rt.engine, log: rt.log, systems: rt.systems, manufacturer: rt.manufacturer });
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
    const manufacturer = rt.manufacturer;
    const published = analytics;
    return {
      rt: runtime,
      app,
      sandboxes,
      baseUrl,
      analytics,
      manufacturerScenario: (print) =>
        manufacturer === undefined
          ? undefined
          : { systems: manufacturer, sap: sandboxNamed(sandboxes, 'sap'), print, ...(published === undefined ? {} : { publishedEvents: () => canonicalTypes(published) }) },
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
        await published?.close();
        await Promise.allSettled(sandboxes.map((s) => s.close()));
      },
    };
  } catch (err) {
    await rt?.close();
    await analytics?.close();
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
