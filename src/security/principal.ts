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
  role: Role;
  /** Bucket of rate limits and quotas: the key id, or the actor for the bootstrap paths. */
  limitKey: string;
}

// A WeakMap rather than a request decoration: nothing else can set or forge it.
const principals = new WeakMap<FastifyRequest, Principal>();

/** Records the principal of `req` (the guard does this). */
export function setPrincipal(req: FastifyRequest, p: Principal): void {
  principals.set(req, p);
}

/** The principal of `req`, when the guard has run. */
export function principalOf(req: FastifyRequest): Principal | undefined {
  return principals.get(req);
}
