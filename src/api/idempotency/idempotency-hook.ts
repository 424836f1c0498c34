/**
 * `Idempotency-Key` on every POST of a scope: claimed after authentication and validation (a
 * request that fails validation stores nothing, as with Stripe), answered from the store on a
 * repeat with `Idempotent-Replayed: true`. Unlike Stripe, a 5xx or 429 answer is not kept: those
 * say "try again", and a retry with the same key should then really try again. A claim whose answer
 * never got written (the process died) is given up after `ABANDONED_MS`.
 */
import { createHash, scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { conflictError, validationError } from '../../core/errors.ts';
import { canonicalJson } from '../../security/audit-log.ts';
import { principalOf } from '../../security/principal.ts';
import type { IdempotencyKeys } from './idempotency-keys.ts';

/** The request header. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** The header marking a replayed answer. */
export const REPLAYED_HEADER = 'idempotent-replayed';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
const scryptAsync = promisify(scrypt) as (password: string, salt: string, length: number) => Promise<Buffer>;

interface Pending {
  scope: string;
  key: string;
}

/**
 * Adds Idempotency-Key handling to every POST route of `scope` registered after this call. The
 * hooks go on those routes only (first of their own), so reads never pass through them.
 */
export function idempotency(scope: FastifyInstance, keys: IdempotencyKeys): void {
  const pending = new WeakMap<FastifyRequest, Pending>();

  const claim = async (req: FastifyRequest, reply: FastifyReply) => {
    const key = req.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return;
    if (typeof key !== 'string' || !KEY_FORMAT.test(key)) {
      throw validationError('Idempotency-Key must be 1–255 visible ASCII characters', { type: 'invalid-idempotency-key' });
    }
    const owner = principalOf(req)?.limitKey ?? 'anonymous';
    const route = `${req.method} ${req.routeOptions.url ?? ''}`;
    const request = canonicalJson({ params: req.params ?? null, query: req.query ?? null, body: req.body ?? null });
    const fingerprint =
      req.routeOptions.config.secretBody === true
        ? (await scryptAsync(request, `${owner}\n${key}`, 32)).toString('hex')
        : createHash('sha256').update(request).digest('hex');
    const claimed = await keys.claim(owner, key, route, fingerprint);
    switch (claimed.kind) {
      case 'claimed':
        pending.set(req, { scope: owner, key });
        return;
      case 'replay':
        reply.header(REPLAYED_HEADER, 'true').code(claimed.answer.status).type(claimed.answer.contentType);
        return reply.serializer((body: unknown) => String(body)).send(claimed.answer.body);
      case 'in-flight':
        throw conflictError(`a request with Idempotency-Key "${key}" is still being processed; retry after it has answered`, { type: 'idempotency-key-in-flight' });
      case 'mismatch':
        throw validationError(
          claimed.what === 'route'
            ? `Idempotency-Key "${key}" was first used on ${claimed.firstRoute}, not ${route}: use a new key for a new request`
            : `Idempotency-Key "${key}" was first used with different parameters: use a new key for a new request`,
          { status: 422, type: 'idempotency-key-reused', details: { mismatch: claimed.what, firstRoute: claimed.firstRoute } },
        );
    }
  };

  const store = async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const p = pending.get(req);
    if (p === undefined) return payload;
    pending.delete(req);
    const status = reply.statusCode;
    if (status >= 500 || status === 429 || typeof payload !== 'string') {
      await keys.release(p.scope, p.key);
    } else {
      const body = redact(payload, req.routeOptions.config.redactOnReplay);
      await keys.complete(p.scope, p.key, { status, contentType: String(reply.getHeader('content-type') ?? 'application/json'), body });
    }
    return payload;
  };

  // Callback-style hooks with the common case first: most POSTs carry no Idempotency-Key, and
  // for those an async hook's promise would be all the work there is.
  const claimHook = (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
    if (req.headers[IDEMPOTENCY_HEADER] === undefined) return done();
    // A replay has answered (claim returns the reply): the request goes no further.
    claim(req, reply).then((answered) => (answered === undefined ? done() : undefined), done);
  };
  const storeHook = (req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void): void => {
    if (!pending.has(req)) return done(null, payload);
    store(req, reply, payload).then((out) => done(null, out), done);
  };

  scope.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('POST')) return;
    route.preHandler = [claimHook, ...asList(route.preHandler)] as RouteOptions['preHandler'];
    route.onSend = [...asList(route.onSend), storeHook] as RouteOptions['onSend'];
  });
}

function asList<T>(hooks: T | T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks];
}

// What must be shown once (a new API key) is stored as null, never in clear.
function redact(payload: string, fields: readonly string[] | undefined): string {
  if (fields === undefined || fields.length === 0) return payload;
  try {
    const parsed = JSON.parse(payload) as Record<string, unknown>;
    for (const f of fields) if (f in parsed) parsed[f] = null;
    return JSON.stringify(parsed);
  } catch {
    return '';
  }
}
