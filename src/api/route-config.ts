/**
 * What routes declare in Fastify's `config`: the role a caller needs (read by the guards of the
 * admin API and `/v1`). Declared here once so every route's `config: { role }` is type-checked.
 */
import type { FastifyRequest } from 'fastify';
import { validationError } from '../core/errors.ts';
import type { Role } from '../security/roles.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role that may call the route. */
    role?: Role;
    /**
     * Top-level answer fields never stored for an Idempotency-Key replay (a key shown once stays
     * shown once: the replay carries `null` in its place).
     */
    redactOnReplay?: readonly string[];
    /**
     * The body holds a secret: the Idempotency-Key fingerprint of it is a slow, salted hash
     * (scrypt), so the stored fingerprint cannot be used to guess a short secret.
     */
    secretBody?: boolean;
  }
}

/** The config of routes only admins may call. */
export const ADMIN_ONLY = { role: 'admin' } as const;

/**
 * A `preValidation` hook for actions that take no body: nothing, or `{}`. Anything else is a
 * mistake worth a 400 rather than silently ignored. (A body schema cannot say "absent or {}":
 * Fastify validates an absent body too.)
 */
export async function noBody(req: FastifyRequest): Promise<void> {
  const b = req.body;
  if (b === undefined || (b !== null && typeof b === 'object' && !Array.isArray(b) && Object.keys(b).length === 0)) return;
  throw validationError('this action takes no request body (send none, or {})', { type: 'invalid-request' });
}
