/**
 * The HTTP server: webhook intake, health, and the admin API. Every error answers problem+json
 * through one handler; request logging is off on the hot path (the engine logs what matters).
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../core/config.ts';
import { notFoundError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Engine } from '../engine/engine.ts';
import type { Store } from '../store/store.ts';
import { adminGuard } from './admin-auth.ts';
import { errorHandler, sendProblem } from './problem.ts';
import { deadLetterRoutes } from './routes/admin-dead-letters.ts';
import { healthRoutes } from './routes/health.ts';
import { hookRoutes } from './routes/hooks.ts';

/** What the server needs. */
export interface ServerDeps {
  config: Config;
  store: Store;
  engine: Engine;
  log: Logger;
}

/** Builds (but does not start) the HTTP server. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.server.bodyLimit,
    // Header size and JSON nesting limits: bad input must fail fast, not exhaust the process.
    routerOptions: { maxParamLength: 500 },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true } },
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => sendProblem(reply, notFoundError(`no route ${req.method} ${req.url.split('?')[0]}`), req.url));

  healthRoutes(app, deps.store);
  await hookRoutes(app, { config: deps.config, inbox: deps.engine.inbox });
  await app.register(async (admin) => {
    admin.addHook('onRequest', adminGuard(deps.config.admin.token));
    deadLetterRoutes(admin, deps.engine.deadLetters);
  });
  return app;
}
