/**
 * Starts listening, turning the usual failures (port taken, address not available) into one
 * line that says what to change, after `cleanup` has closed what was opened.
 */
import type { FastifyInstance } from 'fastify';
import { InterlockError, validationError } from '../core/errors.ts';

/** Listens on `server.host:server.port`; on failure runs `cleanup` and throws a readable error. */
export async function listenOrExplain(app: FastifyInstance, server: { host: string; port: number }, cleanup: () => Promise<void>): Promise<void> {
  try {
    await app.listen({ host: server.host, port: server.port });
  } catch (err) {
    await app.close().catch(() => undefined);
    await cleanup();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw validationError(`port ${server.port} is in use; choose another with INTERLOCK_PORT or server.port`);
    }
    throw err instanceof InterlockError ? err : validationError(`cannot listen on ${server.host}:${server.port}: ${(err as Error).message}`);
  }
}
