/**
 * Admin API: who the caller is (viewer role, so any valid key). The console asks once at sign-in
 * so every screen and button follows the key's role; the API still refuses what the role lacks.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../../security/principal.ts';
import { ROLES } from '../../security/roles.ts';

const Session = Type.Object({
  actor: Type.String({ description: 'Audit-log actor: key:<id>, token:admin or loopback' }),
  name: Type.Optional(Type.String({ description: "The key's label, as issued (what the audit trail shows with the id)" })),
  role: Type.Union(ROLES.map((r) => Type.Literal(r))),
});

/** Registers `GET /admin/session`. */
export function sessionRoutes(app: FastifyInstance): void {
  app.get('/admin/session', { schema: { tags: ['admin'], summary: 'The calling key: its actor name and role', response: { 200: Session } } }, async (req) => {
    const p = principalOf(req);
    // The guard always sets a principal before a handler runs; viewer is the safe reading otherwise.
    return { actor: p?.actor ?? 'unknown', ...(p?.name === undefined ? {} : { name: p.name }), role: p?.role ?? 'viewer' };
  });
}
