/**
 * The SAP S/4HANA Cloud sandbox: OData v2 services for business partners and customers, sales
 * orders (deep insert), product availability, credit exposure, billing documents and outbound
 * deliveries; Basic or OAuth client-credentials auth; the CSRF token protocol; ETags; `$batch`;
 * Event Mesh-style CloudEvents for deliveries and billing documents. Built on the sandbox kit
 * (faults, admin endpoints, state store). {@link sapSandbox} is the registered factory.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { acceptVendorBodies, defineSandbox } from '../kit/index.ts';
import type { SandboxContext, SandboxFactory } from '../kit/index.ts';
import { registerSapAdmin } from './admin.ts';
import { registerTokenRoute, SapTokens } from './auth.ts';
import { DEFAULT_SAP_CONFIG, type SapSandboxConfig } from './config.ts';
import { ConcurrentEdits } from './concurrent-edits.ts';
import { CsrfSessions } from './csrf.ts';
import { badRequest, errorBody, renderSapError, SapError } from './errors.ts';
import { SapEvents, type EventSubscription } from './events.ts';
import { registerODataRoutes } from './http-routes.ts';
import { seedSap } from './seed.ts';
import { SapStore } from './store.ts';

interface Parts {
  store: SapStore;
  tokens: SapTokens;
  csrf: CsrfSessions;
  events: SapEvents;
  concurrentEdits: ConcurrentEdits;
}

/** Makes an SAP sandbox factory with the given settings. */
export function createSapSandbox(overrides: Partial<SapSandboxConfig> = {}): SandboxFactory {
  const config: SapSandboxConfig = { ...DEFAULT_SAP_CONFIG, ...overrides };
  const parts = new WeakMap<SandboxContext, Parts>();
  const build = (kit: SandboxContext): Parts => {
    let built = parts.get(kit);
    if (built === undefined) {
      built = {
        store: new SapStore(kit.store),
        tokens: new SapTokens(config),
        csrf: new CsrfSessions(config.sapClient),
        events: new SapEvents(kit.store.collection<EventSubscription>('eventSubscriptions'), kit.events, config.sapClient),
        concurrentEdits: new ConcurrentEdits(),
      };
      parts.set(kit, built);
    }
    return built;
  };

  return defineSandbox({
    name: 'sap',
    renderError: renderSapError,
    routes(app: FastifyInstance, kit: SandboxContext) {
      const p = build(kit);
      acceptVendorBodies(app, (detail) => badRequest(`The request body is not valid JSON: ${detail}`));
      app.setErrorHandler((error: FastifyError, _request, reply) => {
        if (error instanceof SapError) return reply.code(error.status).headers(error.headers).type('application/json; charset=utf-8').send(error.toBody());
        if (error.code?.startsWith('FST_ERR_CTP') || error.statusCode === 400 || error.statusCode === 415) {
          return reply.code(400).send(errorBody('/IWBEP/CM_MGW_RT/000', `The request could not be understood: ${error.message}`));
        }
        return reply.code(500).send(errorBody('/IWFND/CM_BEC/026', `Error while executing the request in the backend system: ${error.message}`));
      });
      app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody('/IWFND/MED/170', `No service found for ${request.url}`)));
      registerTokenRoute(app, config, p.tokens, kit.faults);
      registerSapAdmin(app, { store: p.store, events: p.events, csrf: p.csrf, concurrentEdits: p.concurrentEdits });
      registerODataRoutes(app, {
        store: p.store, events: p.events, tokens: p.tokens, csrf: p.csrf, faults: kit.faults,
        baseUrl: () => kit.url, pageSize: config.pageSize, csrfSeconds: config.csrfSeconds,
        rules: { store: p.store, changed: () => undefined }, concurrentEdits: p.concurrentEdits,
      });
    },
    seed(kit: SandboxContext) {
      seedSap(build(kit).store);
    },
    reset(kit: SandboxContext) {
      build(kit).csrf.expireAll();
      build(kit).concurrentEdits.arm(0);
    },
    summary(kit: SandboxContext) {
      return { basicAuth: { username: config.username, password: config.password }, oauth: { clientId: config.clientId, clientSecret: config.clientSecret, tokenPath: '/sap/bc/sec/oauth2/token' }, csrfSessions: build(kit).csrf.size, concurrentEditsPending: build(kit).concurrentEdits.pending };
    },
  });
}

/** The SAP sandbox with default settings, as the registry lists it. */
export const sapSandbox: SandboxFactory = createSapSandbox();
