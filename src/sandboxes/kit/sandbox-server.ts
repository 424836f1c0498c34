/**
 * Builds and starts one sandbox from a vendor's {@link SandboxDefinition}: a Fastify server with
 * the fault hooks on the vendor's routes, the admin endpoints, a state store and an event sender.
 * A vendor folder describes its API; this file does the rest, the same way for every vendor.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerAdminRoutes } from './admin-routes.ts';
import { EventDelivery, type EventDeliveryOptions } from './event-delivery.ts';
import { FaultController } from './fault-controller.ts';
import { openStateStore, type StateStore } from './state-store.ts';
import type { RenderError, SandboxFactory, SandboxInstance, SandboxStartOptions } from './types.ts';

/** What a vendor's routes and hooks receive. */
export interface SandboxContext {
  /** The sandbox's name. */
  readonly name: string;
  /** Its state. */
  readonly store: StateStore;
  /** Its live faults (read `get().tokenTtlSeconds` when issuing tokens). */
  readonly faults: FaultController;
  /** Its outbound webhook sender. */
  readonly events: EventDelivery;
  /** The options it was started with. */
  readonly options: Readonly<SandboxStartOptions>;
  /** Base URL once listening (empty before). */
  readonly url: string;
}

/** A vendor's description of its sandbox. */
export interface SandboxDefinition {
  /** Short vendor name, e.g. `stripe`. */
  name: string;
  /** Renders injected faults in the vendor's error shape. */
  renderError: RenderError;
  /**
   * Registers the vendor's routes on `app`, an encapsulated scope of its own: hooks, body parsers
   * and error/not-found handlers set on it apply to the vendor routes only, never to the admin ones.
   */
  routes(app: FastifyInstance, context: SandboxContext): void | Promise<void>;
  /** Loads the demo data set into an empty store. */
  seed?(context: SandboxContext): void | Promise<void>;
  /** Extra fields for `GET /__sandbox/state`. */
  summary?(context: SandboxContext): Record<string, unknown>;
  /** Clears vendor state kept outside the store (caches, timers) on reset. */
  reset?(context: SandboxContext): void | Promise<void>;
  /** Releases vendor resources on close. */
  close?(context: SandboxContext): void | Promise<void>;
  /** Retry and hold settings of the webhook sender. */
  eventDelivery?: Omit<EventDeliveryOptions, 'faults'>;
}

/**
 * The Fastify options every sandbox server is built with. Exported so a benchmark's baseline
 * server runs with the same settings as the sandboxes it is compared with.
 */
export function sandboxServerOptions(): FastifyServerOptions {
  // No request logging: with no logger Fastify still timed every response for a log line never written.
  return { logger: false, logController: new LogController({ disableRequestLogging: true }), forceCloseConnections: true };
}

/** Turns a definition into the factory a vendor folder exports. */
export function defineSandbox(definition: SandboxDefinition): SandboxFactory {
  return { name: definition.name, start: (options) => startSandbox(definition, options) };
}

/** Starts a sandbox and resolves once it listens. */
export async function startSandbox(
  definition: SandboxDefinition,
  options: SandboxStartOptions = {},
): Promise<SandboxInstance> {
  const faults = new FaultController({ initial: options.faults ?? {} });
  const store = openStateStore(options.statePath);
  const events = new EventDelivery({ ...definition.eventDelivery, faults });
  let url = '';
  const context: SandboxContext = {
    name: definition.name,
    store,
    faults,
    events,
    options: { ...options },
    get url() {
      return url;
    },
  };
  const seed = async (): Promise<void> => {
    if (options.seed === true && definition.seed !== undefined) await definition.seed(context);
  };
  const reset = async (): Promise<void> => {
    events.reset();
    store.reset();
    faults.reset();
    await definition.reset?.(context);
    await seed();
  };

  const app = Fastify(sandboxServerOptions());
  try {
    faults.install(app, definition.renderError);
    registerAdminRoutes(app, {
      faults,
      reset,
      state: () => ({
        sandbox: definition.name,
        faults: faults.get(),
        collections: store.counts(),
        deliveries: events.records(),
        ...definition.summary?.(context),
      }),
    });
    await app.register(async (scope) => {
      await definition.routes(scope, context);
    });
    // A persisted demo keeps its data across restarts: seed only an empty store.
    if (Object.values(store.counts()).every((n) => n === 0)) await seed();
    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  } catch (err) {
    await app.close();
    store.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  const host = options.host ?? '127.0.0.1';
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closed = false;
  return {
    name: definition.name,
    url,
    faults,
    reset,
    async close() {
      if (closed) return;
      closed = true;
      events.close();
      await app.close();
      await definition.close?.(context);
      store.close();
    },
  };
}
