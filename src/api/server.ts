/**
 * The HTTP server: webhook intake, health, and the admin API. Every error answers problem+json
 * through one handler; request logging is off on the hot path (the engine logs what matters).
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import { notFoundError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Engine } from '../engine/engine.ts';
import { limitJsonDepth, serverLimitOptions } from '../security/request-limits.ts';
import type { Store } from '../store/store.ts';
import { protectAdminScope } from './admin-auth.ts';
import { errorHandler, sendProblem } from './problem.ts';
import { deadLetterRoutes } from './routes/admin-dead-letters.ts';
import { runRoutes } from './routes/admin-runs.ts';
import { healthRoutes } from './routes/health.ts';
import { hookRoutes } from './routes/hooks.ts';

/** What the server needs. */
export interface ServerDeps {
  config: Config;
  store: Store;
  engine: Engine;
  log: Logger;
  /** Time for key expiry and rate limits. @default systemClock */
  clock?: Clock | undefined;
}

/** Builds (but does not start) the HTTP server. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // Body, header and time limits: bad input must fail fast, not exhaust the process.
    ...serverLimitOptions(deps.config.server),
    routerOptions: { maxParamLength: 500 },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true } },
  });
  app.setErrorHandler(errorHandler);
  limitJsonDepth(app, deps.config.server.jsonDepth);
  app.setNotFoundHandler((req, reply) => sendProblem(reply, notFoundError(`no route ${req.method} ${req.url.split('?')[0]}`), req.url));

  healthRoutes(app, deps.store);
  await hookRoutes(app, { config: deps.config, inbox: deps.engine.inbox });
  await app.register(async (admin) => {
    protectAdminScope(admin, { config: deps.config, store: deps.store, clock: deps.clock ?? systemClock });
    deadLetterRoutes(admin, deps.engine.deadLetters);
    runRoutes(admin, deps.engine.flows);
  });
  return app;
}
