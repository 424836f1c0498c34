/**
 * Admin API for the security audit log (admin role): list entries and verify the hash chain,
 * optionally against an anchor (id and hash) kept elsewhere, which catches entries cut from the end.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ADMIN_ONLY } from '../route-config.ts';
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../../security/audit-log.ts';

const ListQuery = Type.Object(
  { afterId: Type.Integer({ minimum: 0, default: 0 }), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) },
  { additionalProperties: false },
);
const VerifyQuery = Type.Object(
  { anchorId: Type.Optional(Type.Integer({ minimum: 1 })), anchorHash: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })) },
  { additionalProperties: false },
);

/** Registers `/admin/audit`. */
export function auditRoutes(app: FastifyInstance, audit: AuditLog): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/admin/audit',
    { config: ADMIN_ONLY, schema: { tags: ['admin'], summary: 'Audit log entries, oldest first', querystring: ListQuery } },
    async (req) => ({ items: await audit.list({ afterId: req.query.afterId, limit: req.query.limit }), head: await audit.head() }),
  );

  app.get<{ Querystring: Static<typeof VerifyQuery> }>(
    '/admin/audit/verify',
    { config: ADMIN_ONLY, schema: { tags: ['admin'], summary: 'Verify the hash chain (and an anchor, when given)', querystring: VerifyQuery } },
    async (req) => {
      const { anchorId, anchorHash } = req.query;
      return audit.verify(anchorId !== undefined && anchorHash !== undefined ? { id: anchorId, hash: anchorHash } : undefined);
    },
  );
}
