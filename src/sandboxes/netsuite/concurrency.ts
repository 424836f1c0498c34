/**
 * NetSuite's account-wide concurrency governance: at most `limit` requests in flight across the
 * REST record service, SuiteQL and async jobs; one more is refused with `429` and NetSuite's
 * error body (no Retry-After, as NetSuite documents none).
 */
import type { FastifyInstance } from 'fastify';
import { CONCURRENCY_DETAIL, errorBody } from './errors.ts';

/** Adds the limit to every route registered in `scope` afterwards. */
export function limitConcurrency(scope: FastifyInstance, limit: number): void {
  let inFlight = 0;
  // One shared listener, added once to each admitted response only: 'close' fires once per
  // response, so no per-request closure or bookkeeping of which requests were counted.
  const release = (): void => {
    inFlight -= 1;
  };
  scope.addHook('onRequest', (_request, reply, done) => {
    if (inFlight >= limit) {
      // Answering from a hook ends the request here; `done` must not be called as well.
      reply.code(429).send(errorBody(429, 'CONCURRENCY_LIMIT_EXCEEDED', CONCURRENCY_DETAIL));
      return;
    }
    inFlight += 1;
    // 'close' fires however the exchange ends — answered, aborted by the client, or the socket
    // destroyed unanswered by the drop-response fault — so no slot is ever leaked.
    reply.raw.once('close', release);
    done();
  });
}
