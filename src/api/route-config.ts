/**
 * What routes declare in Fastify's `config`: the role a caller needs (read by the guards of the
 * admin API and `/v1`). Declared here once so every route's `config: { role }` is type-checked.
 */
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
  }
}

/** The config of routes only admins may call. */
export const ADMIN_ONLY = { role: 'admin' } as const;
