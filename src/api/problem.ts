/**
 * RFC 9457 problem details: the one shape of every HTTP error Interlock answers, built from the
 * error taxonomy in one place. Internal details (stack, cause) never leave the process.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CLASSES, InterlockError, toInterlockError } from '../core/errors.ts';

/** Base of the `type` URIs; the slug after it is stable and documented. */
export const PROBLEM_BASE = 'https://interlock.dev/problems/';

/**
 * The problem types the HTTP API answers with, by slug (the part after {@link PROBLEM_BASE}), and
 * what each means. Slugs are stable: clients may branch on them. The OpenAPI document lists them.
 */
export const PROBLEM_TYPES: Readonly<Record<string, string>> = {
  validation: 'Invalid input, named in the detail (400).',
  conflict: 'The request conflicts with the current state (409).',
  transient: 'Temporarily unavailable; retry later (503).',
  permanent: 'Refused for good; retrying will not help (422).',
  unexpected: 'Our bug; it has been logged (500).',
  'invalid-request': 'The request does not match the schema (400).',
  'malformed-json': 'The body is not JSON (400).',
  'json-too-deep': 'The body nests deeper than the configured limit (400).',
  'body-too-large': 'The body is larger than the configured limit (413).',
  'unsupported-media-type': 'The body is not application/json (415).',
  'bad-request': 'Another malformed request, e.g. a path parameter over its length limit (4xx).',
  'not-found': 'No such route or record (404).',
  unauthorized: 'No API key, or an unknown, revoked or expired one (401).',
  forbidden: 'The key\'s role is below what the route needs; `requiredRole` names it (403).',
  'rate-limited': 'Too many requests for this key; see Retry-After and RateLimit (429).',
  'invalid-idempotency-key': 'Idempotency-Key is not 1–255 visible ASCII characters (400).',
  'idempotency-key-reused': 'The key was first used on another route or with other parameters; `mismatch` says which (422).',
  'idempotency-key-in-flight': 'The first request with this key is still being processed (409).',
  retired: 'The route passed its Sunset date; `successor` names what to use (410).',
  'connectors-not-configured': 'This process has no connectors for the synchronous operations (503).',
  'downstream-unavailable': 'A downstream system failed or timed out and no copy may answer; `downstream` names it (503).',
  'account-not-found': 'Salesforce has no such Account (404).',
  'customer-not-found': 'NetSuite has no customer with that external id, or SAP no credit account for the partner (404).',
  'business-partner-not-found': 'SAP has no business partner with that external reference (404).',
  'unknown-legal-entity': 'The legal entity has no ship-from address configured (422).',
  'tax-refused': 'AvaTax refused the document; the detail is its reason (422).',
  'opportunity-not-won': 'Only Closed Won opportunities become orders (422).',
  'order-invalid': 'The deal fails lead-to-order\'s validation; `problems` lists what to fix (422).',
  'order-not-found': 'No order run with that id (404).',
  'flow-not-registered': 'The flow orders are handed to is not registered in this process (503).',
  'secret-exists': 'A secret of that name exists: rotate it instead (409).',
  'unknown-secret': 'No secret of that name (404).',
  'master-key-missing': 'This process has no master key to write secrets with (503).',
  'not-parked': 'The dead letter is not parked (409).',
  'not-awaiting-approval': 'The run is not waiting for an approval (409).',
  'unknown-source': 'No webhook source of that name (404).',
  'missing-event-id': 'The webhook carries no event id where its source says (400).',
  'invalid-event-id': 'The event id is too long or not text (400).',
  'invalid-signature': 'The webhook signature is missing, stale or wrong (401).',
};

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
