/**
 * The admin endpoints every sandbox serves under `/__sandbox` (a prefix no vendor uses):
 * `GET|PUT|PATCH /__sandbox/faults`, `POST /__sandbox/reset` and `GET /__sandbox/state`.
 * They are never faulted, and bad input gets a 400 with a JSON `{ "error": "…" }` message.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { InterlockError } from '../../core/errors.ts';
import { ADMIN_PREFIX, type FaultController } from './fault-controller.ts';

/** What the admin routes act on. */
export interface AdminTarget {
  /** The sandbox's faults. */
  faults: FaultController;
  /** Empties the state, re-seeds when started with seed, clears faults. */
  reset(): Promise<void>;
  /** A JSON summary of the state for tests and demos. */
  state(): Record<string, unknown>;
}

/** Registers the admin routes on `app` in their own scope (own error handler). */
export function registerAdminRoutes(app: FastifyInstance, target: AdminTarget): void {
  void app.register(
    async (admin) => {
      admin.setErrorHandler((error: FastifyError | InterlockError, _request, reply) => {
        const status = error instanceof InterlockError ? error.status : (error.statusCode ?? 500);
        return reply.code(status).send({ error: error.message });
      });
      admin.setNotFoundHandler((request, reply) =>
        reply.code(404).send({ error: `no admin endpoint ${request.method} ${request.url}` }),
      );
      admin.get('/faults', async () => target.faults.get());
      admin.put('/faults', async (request) => target.faults.set(bodyOf(request.body)));
      admin.patch('/faults', async (request) => target.faults.patch(bodyOf(request.body)));
      admin.post('/reset', async () => {
        await target.reset();
        return { reset: true };
      });
      admin.get('/state', async () => target.state());
    },
    { prefix: ADMIN_PREFIX },
  );
}

// An empty body means "no fields", so `PUT` with nothing clears every fault.
function bodyOf(body: unknown): unknown {
  return body === undefined || body === null || body === '' ? {} : body;
}
