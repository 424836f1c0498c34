/**
 * Admin API for secrets (admin role): list metadata, set a new secret, rotate one (a new value,
 * a new version). Values go in and never come out: no route answers one, and the audit entries
 * carry names and versions only. The master key comes from the environment as for the CLI; a
 * process without one can list but not write (503 `master-key-missing`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { ADMIN_ONLY } from '../route-config.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.ts';
import { conflictError, InterlockError, notFoundError, transientError } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import type { AuditLog } from '../../security/audit-log.ts';
import type { MasterKey } from '../../security/master-key.ts';
import { principalOf } from '../../security/principal.ts';
import { Secrets } from '../../security/secrets.ts';

const NameParams = Type.Object({ name: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,127}$' }) });
const ValueBody = Type.Object({ value: Type.String({ minLength: 1, maxLength: 65_536 }) }, { additionalProperties: false });

/** What the secret routes need. */
export interface SecretRouteDeps {
  store: Store;
  audit: AuditLog;
  clock: Clock;
  /** Loads the master key (from the environment); throws when there is none. */
  masterKey: () => MasterKey;
}

/** Registers `/admin/secrets`. */
export function secretRoutes(app: FastifyInstance, deps: SecretRouteDeps): void {
  const open = (): Secrets => {
    let master: MasterKey;
    try {
      master = deps.masterKey();
    } catch (err) {
      throw transientError(`secrets cannot be written by this process: ${(err as Error).message}`, { type: 'master-key-missing' });
    }
    return new Secrets(deps.store, deps.audit, deps.clock, master);
  };
  // Listing reads names and versions only, so it needs no master key.
  const listing = (): Secrets => new Secrets(deps.store, deps.audit, deps.clock, { id: 'none', bytes: Buffer.alloc(32) });

  app.get('/admin/secrets', { config: ADMIN_ONLY, schema: { tags: ['admin'], summary: 'List secrets: names and metadata, never values' } }, async () => ({ items: await listing().list() }));

  app.post<{ Params: Static<typeof NameParams>; Body: Static<typeof ValueBody> }>(
    '/admin/secrets/:name',
    { config: { ...ADMIN_ONLY, secretBody: true }, schema: { tags: ['admin'], summary: 'Set a new secret (409 if it exists: rotate it instead)', params: NameParams, body: ValueBody } },
    async (req, reply) => {
      const exists = (await listing().list()).some((s) => s.name === req.params.name);
      if (exists) throw conflictError(`secret "${req.params.name}" exists: rotate it with POST /admin/secrets/${req.params.name}/rotate`, { type: 'secret-exists' });
      return reply.code(201).send(await write(open(), req));
    },
  );

  app.post<{ Params: Static<typeof NameParams>; Body: Static<typeof ValueBody> }>(
    '/admin/secrets/:name/rotate',
    {
      config: { ...ADMIN_ONLY, secretBody: true },
      schema: { tags: ['admin'], summary: 'Rotate a secret: a new value under a new data key, version + 1', params: NameParams, body: ValueBody },
    },
    async (req) => {
      const exists = (await listing().list()).some((s) => s.name === req.params.name);
      if (!exists) throw notFoundError(`no secret named "${req.params.name}"`, { type: 'unknown-secret' });
      return write(open(), req);
    },
  );
}

async function write(secrets: Secrets, req: FastifyRequest<{ Params: Static<typeof NameParams>; Body: Static<typeof ValueBody> }>) {
  try {
    return await secrets.set(req.params.name, req.body.value, principalOf(req)?.actor ?? 'admin-api');
  } catch (err) {
    // Never let a message that might quote the value out.
    if (err instanceof InterlockError) throw new InterlockError(err.code, `secret "${req.params.name}" was not stored`, { type: err.type });
    throw err;
  }
}
