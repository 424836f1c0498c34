/**
 * The Salesforce sandbox: OAuth token endpoint, REST API (sObjects, SOQL, collections), limits
 * and Change Data Capture over an HTTP projection of the Pub/Sub API, built on the sandbox kit
 * (faults, admin endpoints, state store). {@link salesforceSandbox} is the registered factory;
 * {@link createSalesforceSandbox} makes one with other settings (credentials, JWT key, limits).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { acceptVendorBodies, defineSandbox } from '../kit/index.ts';
import type { RenderedError, SandboxContext, SandboxFactory } from '../kit/index.ts';
import { ApiUsage } from './api-usage.ts';
import { ChangeEventLog } from './change-events.ts';
import type { ChangeEvent } from './change-events.ts';
import { DEFAULT_SALESFORCE_CONFIG } from './config.ts';
import type { SalesforceSandboxConfig } from './config.ts';
import type { SalesforceContext } from './context.ts';
import { registerDataApi } from './data-api.ts';
import { OAuthError, SalesforceError } from './errors.ts';
import { registerOAuthRoutes } from './oauth-routes.ts';
import { registerPubSubRoutes } from './pubsub-routes.ts';
import { seedSalesforce } from './seed.ts';
import { Sessions } from './sessions.ts';
import { RecordStore } from './store.ts';
import type { StoredRecord } from './store.ts';

/** Salesforce's answers to injected faults (it has no 429: the limit signal is a 403). */
export function renderSalesforceError(kind: 'server' | 'rate-limited' | 'maintenance'): RenderedError {
  switch (kind) {
    case 'server':
      return { status: 500, headers: {}, body: [{ message: 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)', errorCode: 'UNKNOWN_EXCEPTION' }] };
    case 'rate-limited':
      return { status: 403, headers: {}, body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }] };
    case 'maintenance':
      return { status: 503, headers: {}, body: [{ message: 'Server is temporarily unavailable due to maintenance. Please try again later.', errorCode: 'SERVER_UNAVAILABLE' }] };
  }
}

/** Makes a Salesforce sandbox factory with the given settings. */
export function createSalesforceSandbox(overrides: Partial<SalesforceSandboxConfig> = {}): SandboxFactory {
  const config: SalesforceSandboxConfig = { ...DEFAULT_SALESFORCE_CONFIG, ...overrides };
  const parts = new WeakMap<SandboxContext, SalesforceContext & { seeding: { on: boolean } }>();

  const build = (kit: SandboxContext): SalesforceContext & { seeding: { on: boolean } } => {
    let built = parts.get(kit);
    if (built) return built;
    const log = new ChangeEventLog(kit.store.collection<ChangeEvent>('cdcEvents'), kit.store.collection<{ n: number }>('cdcMeta'), config.cdcRetentionMs);
    const seeding = { on: false };
    const store = new RecordStore(kit.store.collection<StoredRecord>('records'), kit.store.collection<{ n: number }>('idCounters'), (tx) => {
      if (!seeding.on) log.append(tx);
    });
    built = {
      config,
      store,
      log,
      sessions: new Sessions(),
      usage: new ApiUsage(kit.store.collection('apiUsage'), config.dailyApiLimit),
      faults: kit.faults,
      url: () => kit.url,
      seeding,
    };
    parts.set(kit, built);
    return built;
  };

  return defineSandbox({
    name: 'salesforce',
    renderError: renderSalesforceError,
    async routes(app: FastifyInstance, kit: SandboxContext) {
      const ctx = build(kit);
      acceptVendorBodies(app, (detail) => new SalesforceError(400, 'JSON_PARSER_ERROR', `Unexpected character in JSON: ${detail}`));
      app.setErrorHandler((error: FastifyError, request, reply) => {
        if (error instanceof SalesforceError) return reply.code(error.status).send(error.toBody());
        if (error instanceof OAuthError) return reply.code(error.status).send({ error: error.error, error_description: error.message });
        if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
          return reply.code(415).send([{ message: `Content type '${String(request.headers['content-type'])}' is not supported`, errorCode: 'UNSUPPORTED_MEDIA_TYPE' }]);
        }
        if (error.code?.startsWith('FST_ERR_CTP') || error.statusCode === 400) {
          return reply.code(error.statusCode ?? 400).send([{ message: error.message, errorCode: 'JSON_PARSER_ERROR' }]);
        }
        return reply.code(500).send([{ message: `An unexpected error occurred: ${error.message}`, errorCode: 'UNKNOWN_EXCEPTION' }]);
      });
      app.setNotFoundHandler((_request, reply) => reply.code(404).send([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]));
      app.addHook('preClose', async () => ctx.log.wakeAll());
      registerOAuthRoutes(app, { config, sessions: ctx.sessions, faults: kit.faults, url: ctx.url });
      registerPubSubRoutes(app, { log: ctx.log, sessions: ctx.sessions, faults: kit.faults, defaultWaitMs: config.defaultFetchWaitMs });
      await registerDataApi(app, ctx);
    },
    seed(kit: SandboxContext) {
      const ctx = build(kit);
      ctx.seeding.on = true;
      try {
        ctx.store.transaction((tx) => seedSalesforce(ctx.store, tx), 'seed');
      } finally {
        ctx.seeding.on = false;
      }
    },
    reset(kit: SandboxContext) {
      const ctx = build(kit);
      // Sessions survive a reset, so a connected client keeps working against the fresh data.
      ctx.store.reload();
      ctx.log.reload();
    },
    summary(kit: SandboxContext) {
      const ctx = build(kit);
      return { apiUsage: ctx.usage.header(), latestReplay: ctx.log.latest() };
    },
    close(kit: SandboxContext) {
      build(kit).log.wakeAll();
    },
  });
}

/** The Salesforce sandbox with default settings, as the registry lists it. */
export const salesforceSandbox: SandboxFactory = createSalesforceSandbox();
