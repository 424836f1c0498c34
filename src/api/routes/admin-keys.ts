/**
 * Admin API for API keys (admin role): create — the key is in this answer and nowhere else,
 * ever — list (never the keys), and revoke.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ADMIN_ONLY, noBody } from '../route-config.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeys } from '../../security/api-keys.ts';
import { principalOf } from '../../security/principal.ts';
import { ROLES } from '../../security/roles.ts';

const CreateBody = Type.Object(
  {
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    label: Type.String({ minLength: 1, maxLength: 200 }),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the key stops working' })),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{12}$' }) });

/** Registers `/admin/keys`. */
export function keyRoutes(app: FastifyInstance, keys: ApiKeys): void {
  app.get('/admin/keys', { config: ADMIN_ONLY, schema: { tags: ['admin'], summary: 'List API keys (never the keys themselves)' } }, async () => ({ items: await keys.list() }));

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/admin/keys',
    {
      config: { ...ADMIN_ONLY, redactOnReplay: ['key'] },
      schema: { tags: ['admin'], summary: 'Create an API key: the answer holds it, once (an Idempotency-Key replay has `key: null`)', body: CreateBody },
    },
    async (req, reply) => {
      const expiresAt = req.body.expiresAt === undefined ? undefined : Date.parse(req.body.expiresAt);
      const created = await keys.create({ role: req.body.role, label: req.body.label, expiresAt, actor: actorOf(req) });
      // The key must not linger in caches or proxies.
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/admin/keys/:id/revoke',
    { config: ADMIN_ONLY, schema: { tags: ['admin'], summary: 'Revoke an API key', params: IdParams }, preValidation: noBody },
    async (req) => keys.revoke(req.params.id, actorOf(req)),
  );
}

function actorOf(req: FastifyRequest): string {
  return principalOf(req)?.actor ?? 'admin-api';
}
