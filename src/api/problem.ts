/**
 * RFC 9457 problem details: the one shape of every HTTP error Interlock answers, built from the
 * error taxonomy in one place. Internal details (stack, cause) never leave the process.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CLASSES, InterlockError, toInterlockError } from '../core/errors.ts';

/** Base of the `type` URIs; the slug after it is stable and documented. */
export const PROBLEM_BASE = 'https://interlock.dev/problems/';

/** A problem+json body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

/** Builds the problem body for `err`. */
export function toProblem(err: InterlockError, instance?: string): Problem {
  const status = err.status;
  return {
    type: PROBLEM_BASE + err.type,
    title: ERROR_CLASSES[err.code].title,
    status,
    // An unexpected error is our bug: say so, without internals.
    detail: err.code === 'unexpected' ? 'An unexpected error occurred; it has been logged.' : err.message,
    ...(instance === undefined ? {} : { instance }),
    ...(err.code === 'unexpected' ? {} : (err.details ?? {})),
  };
}

/** Sends `err` as problem+json, with `Retry-After` when the error carries one. */
export function sendProblem(reply: FastifyReply, err: InterlockError, instance?: string): FastifyReply {
  const problem = toProblem(err, instance);
  if (err.retryAfterMs !== undefined) reply.header('retry-after', Math.ceil(err.retryAfterMs / 1000));
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

/** Fastify's own failures (body too large, bad media type, schema validation) → the taxonomy. */
export function fromFastifyError(err: FastifyError): InterlockError {
  if (err instanceof InterlockError) return err;
  if (err.validation !== undefined) {
    return new InterlockError('validation', `invalid request: ${err.message}`, { type: 'invalid-request' });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new InterlockError('validation', 'request body is larger than the configured limit', { status: 413, type: 'body-too-large' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new InterlockError('validation', 'unsupported content type', { status: 415, type: 'unsupported-media-type' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new InterlockError('validation', 'request body is not valid JSON', { type: 'malformed-json' });
    default:
      if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
        return new InterlockError('validation', err.message, { status: err.statusCode, type: 'bad-request' });
      }
      return toInterlockError(err);
  }
}

/** The server's error handler: every thrown error becomes problem+json; bugs are logged. */
export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = fromFastifyError(err);
  if (e.code === 'unexpected') req.log.error({ err }, 'unexpected error');
  return sendProblem(reply, e, req.url);
}
