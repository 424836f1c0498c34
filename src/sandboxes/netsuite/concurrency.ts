/**
 * NetSuite's account-wide concurrency governance: at most `limit` requests in flight across the
 * REST record service, SuiteQL and async jobs; one more is refused with `429` and NetSuite's
 * error body (no Retry-After, as NetSuite documents none).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONCURRENCY_DETAIL, errorBody } from './errors.ts';

/** Adds the limit to every route registered in `scope` afterwards. */
export function limitConcurrency(scope: FastifyInstance, limit: number): void {
  let inFlight = 0;
  const counted = new WeakSet<FastifyRequest>();
  const release = async (request: FastifyRequest): Promise<void> => {
    if (counted.delete(request)) inFlight -= 1;
  };
  scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (inFlight >= limit) {
      return reply.code(429).send(errorBody(429, 'CONCURRENCY_LIMIT_EXCEEDED', CONCURRENCY_DETAIL));
    }
    inFlight += 1;
    counted.add(request);
    return undefined;
  });
  scope.addHook('onResponse', release);
  scope.addHook('onRequestAbort', release);
}
