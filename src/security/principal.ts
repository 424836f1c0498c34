/**
 * Who is making a request, once the guard has decided: the actor name written to the audit log,
 * the role that decides what they may do, and the key that rate limits count against.
 */
import type { FastifyRequest } from 'fastify';
import type { Role } from './roles.ts';

/** An authenticated caller. */
export interface Principal {
  /** Audit-log actor: `key:<id>`, `token:admin` or `loopback`. */
  actor: string;
  /** The key's label as issued (`key:<id>` callers only): a name people recognise in the audit log. */
  name?: string;
  role: Role;
  /** Bucket of rate limits and quotas: the key id, or the actor for the bootstrap paths. */
  limitKey: string;
}

// Held under a symbol only this module has, rather than a named decoration, so nothing else can
// set or forge it; a symbol property rather than a WeakMap, whose entries for every request in
// flight cost the API's hot path more than the rest of the guard.
const PRINCIPAL = Symbol('interlock.principal');
type Carrier = FastifyRequest & { [PRINCIPAL]?: Principal };
const principals = {
  get: (req: FastifyRequest): Principal | undefined => (req as Carrier)[PRINCIPAL],
  set: (req: FastifyRequest, p: Principal): void => {
    (req as Carrier)[PRINCIPAL] = p;
  },
};

/** Records the principal of `req` (the guard does this). */
export function setPrincipal(req: FastifyRequest, p: Principal): void {
  principals.set(req, p);
}

/** The principal of `req`, when the guard has run. */
export function principalOf(req: FastifyRequest): Principal | undefined {
  return principals.get(req);
}

/**
 * Who did it, as recorded on what an action changes (a dead letter's `resolvedBy`, a run's
 * decision or cancellation): the key's label and id, `Ops laptop (key:k1)`. Only what the guard
 * established counts, never a name the client sends, so a record cannot be attributed to anyone
 * else by a header.
 */
export function actorName(req: FastifyRequest): string {
  const p = principals.get(req);
  if (p === undefined) return 'unknown';
  return p.name === undefined || p.name === '' ? p.actor : `${p.name} (${p.actor})`;
}
