/**
 * The HTTP server: webhook intake, health, the synchronous API (`/v1`), the admin API, and the
 * OpenAPI document with its docs page. Every error answers problem+json through one handler;
 * request logging is off on the hot path (the engine logs what matters).
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import { notFoundError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Engine } from '../engine/engine.ts';
import type { LeadToOrderDeps } from '../flows/lead-to-order/deps.ts';
import type { ManufacturerDeps } from '../flows/manufacturer/deps.ts';
import { ContractRegistry } from '../governance/registry.ts';
import { AuditLog } from '../security/audit-log.ts';
import { loadMasterKey, type MasterKey } from '../security/master-key.ts';
import { limitJsonDepth, serverLimitOptions } from '../security/request-limits.ts';
import type { Store } from '../store/store.ts';
import { protectAdminScope } from './admin-auth.ts';
import { registerConsole } from './console.ts';
import { idempotency } from './idempotency/idempotency-hook.ts';
import { IdempotencyKeys } from './idempotency/idempotency-keys.ts';
import { CachingApiKeys } from './key-cache.ts';
import { registerOpenApi } from './openapi.ts';
import { errorHandler, fromFastifyError, sendProblem } from './problem.ts';
import { applyRetirements } from './retirements.ts';
import { deadLetterRoutes } from './routes/admin-dead-letters.ts';
import { approvalRoutes } from './routes/admin-approvals.ts';
import { auditRoutes } from './routes/admin-audit.ts';
import { contractRoutes } from './routes/admin-contracts.ts';
import { keyRoutes } from './routes/admin-keys.ts';
import { runRoutes } from './routes/admin-runs.ts';
import { reconcileRoutes } from './routes/admin-reconcile.ts';
import { secretRoutes } from './routes/admin-secrets.ts';
import { sessionRoutes } from './routes/admin-session.ts';
import { healthRoutes } from './routes/health.ts';
import { hookRoutes } from './routes/hooks.ts';
import { manufacturerHookRoutes } from './routes/manufacturer-hooks.ts';
import { metricsRoute, observabilityRoutes } from './routes/observability.ts';
import { Observatory } from '../observability/observatory.ts';
import { LastKnown } from './sync/last-known.ts';
import { openSapSystems } from './sync/sap-systems.ts';
import { protectApiScope } from './v1/guard.ts';
import { v1Routes } from './v1/index.ts';
import { withLazyChildren } from './lazy-logger.ts';

/** What the server needs. */
export interface ServerDeps {
  config: Config;
  store: Store;
  engine: Engine;
  log: Logger;
  /** Time for key expiry, rate limits, budgets and idempotency. @default systemClock */
  clock?: Clock | undefined;
  /**
   * The connector clients the synchronous `/v1` operations call (`buildLeadToOrderDeps`);
   * without them those operations answer 503 `connectors-not-configured`.
   */
  systems?: LeadToOrderDeps | undefined;
  /** The manufacturer story's clients; with them `/hooks/dynamics` and `/hooks/sap` take notifications. */
  manufacturer?: ManufacturerDeps | undefined;
  /** The master key for writing secrets through the admin API. @default loaded from the environment when first needed */
  masterKey?: (() => MasterKey) | undefined;
}

/** A registered route, as tests enumerate them (so a new route cannot escape the RBAC and fuzz matrices). */
export interface RouteEntry {
  method: string;
  url: string;
  /** The role it declares, if any. */
  role: string | undefined;
}

/** The vendors of the first story, whose health the overview shows when connectors are configured. */
const STORY_VENDORS = ['salesforce', 'netsuite', 'stripe', 'avalara'];

const registered = new WeakMap<FastifyInstance, RouteEntry[]>();

/** Every route of a server built by {@link buildServer} (HEAD routes Fastify adds itself excluded). */
export function routesOf(app: FastifyInstance): readonly RouteEntry[] {
  return registered.get(app) ?? [];
}

/** Builds (but does not start) the HTTP server. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  const app = Fastify({
    // Request logging is off, so a request's logger is seldom used: made when first asked for.
    loggerInstance: withLazyChildren(deps.log as FastifyBaseLogger),
    logController: new LogController({ disableRequestLogging: true }),
    // Body, header and time limits: bad input must fail fast, not exhaust the process.
    ...serverLimitOptions(deps.config.server),
    routerOptions: { maxParamLength: 500 },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true } },
    // Failures before routing (a parameter over maxParamLength, a malformed URL) answer problem+json too.
    frameworkErrors: (err, req, reply) => sendProblem(reply, fromFastifyError(err), req.url),
  });
  const routes: RouteEntry[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (r) => {
    for (const method of Array.isArray(r.method) ? r.method : [r.method]) {
      if (method !== 'HEAD') routes.push({ method, url: r.url, role: r.config?.role });
    }
  });
  app.setErrorHandler(errorHandler);
  limitJsonDepth(app, deps.config.server.jsonDepth);
  app.setNotFoundHandler((req, reply) => sendProblem(reply, notFoundError(`no route ${req.method} ${req.url.split('?')[0]}`), req.url));
  applyRetirements(app, clock);
  await registerOpenApi(app);

  const audit = new AuditLog(deps.store, clock);
  const keys = new CachingApiKeys(deps.store, audit, clock);
  const idempotencyKeys = new IdempotencyKeys(deps.store, clock);

  healthRoutes(app, deps.store);
  const observatory = new Observatory({ store: deps.store, clock, config: deps.config.observability, vendors: deps.systems === undefined ? [] : STORY_VENDORS });
  metricsRoute(app, observatory, deps.config.observability.metrics);
  await registerConsole(app);
  await hookRoutes(app, { config: deps.config, inbox: deps.engine.inbox });
  if (deps.manufacturer !== undefined) await manufacturerHookRoutes(app, { config: deps.config, inbox: deps.engine.inbox, systems: deps.manufacturer });
  await app.register(async (admin) => {
    protectAdminScope(admin, { config: deps.config, store: deps.store, clock, keys, audit });
    idempotency(admin, idempotencyKeys);
    deadLetterRoutes(admin, deps.engine.deadLetters);
    runRoutes(admin, deps.engine.flows);
    approvalRoutes(admin, deps.engine.flows);
    keyRoutes(admin, keys);
    secretRoutes(admin, { store: deps.store, audit, clock, masterKey: deps.masterKey ?? (() => loadMasterKey()) });
    contractRoutes(admin, new ContractRegistry(deps.store, { clock }));
    auditRoutes(admin, audit);
    observabilityRoutes(admin, { observatory, store: deps.store });
    reconcileRoutes(admin, { store: deps.store, clock, systems: deps.systems });
    sessionRoutes(admin);
  });
  await app.register(async (v1) => {
    protectApiScope(v1, { config: deps.config, keys, clock });
    idempotency(v1, idempotencyKeys);
    v1Routes(v1, { clock, lastKnown: new LastKnown(deps.store, clock), systems: deps.systems, sap: openSapSystems(deps.config), flows: deps.engine.flows });
  });
  return app;
}
