/**
 * `GET /healthz` (the process is up) and `GET /readyz` (the store answers and every migration
 * is applied), for load balancers and orchestrators.
 */
import type { FastifyInstance } from 'fastify';
import { migrationsApplied } from '../../store/open-store.ts';
import type { Store } from '../../store/store.ts';

/** Registers the health routes. */
export function healthRoutes(app: FastifyInstance, store: Store): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      const ready = await migrationsApplied(store);
      if (!ready) return reply.code(503).send({ status: 'migrations pending' });
      return { status: 'ready', store: store.dialect };
    } catch {
      return reply.code(503).send({ status: 'store unreachable', store: store.dialect });
    }
  });
}
