/**
 * Admin API for the contract registry (viewer role): list subjects with their latest version,
 * show a subject's versions and open proposals, and check the shipped contracts against the
 * registry (the same judgement `interlock contracts check` prints).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { CANONICAL_CONTRACTS } from '../../canonical/catalogue.ts';
import type { ContractRegistry } from '../../governance/registry.ts';

const SubjectParams = Type.Object({ subject: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,99}$' }) });

/** Registers `/admin/contracts`. */
export function contractRoutes(app: FastifyInstance, registry: ContractRegistry): void {
  app.get('/admin/contracts', { schema: { tags: ['admin'], summary: 'Contract subjects with their latest version' } }, async () => {
    const subjects = await registry.subjects();
    const items = await Promise.all(subjects.map(async (s) => ({ ...s, latest: (await registry.latest(s.subject))?.version ?? null })));
    return { items };
  });

  app.get('/admin/contracts/check', { schema: { tags: ['admin'], summary: 'Shipped contracts against the registry: breaking changes per subject' } }, async () => {
    const known = new Set((await registry.subjects()).map((s) => s.subject));
    const items = [];
    for (const c of CANONICAL_CONTRACTS) {
      if (!known.has(c.subject)) {
        items.push({ subject: c.subject, shipped: c.version, registered: false, compatible: true, baseVersion: null, breaking: [], changes: [] });
        continue;
      }
      const r = await registry.check(c.subject, c.schema);
      items.push({ subject: c.subject, shipped: c.version, registered: true, compatible: r.compatible, baseVersion: r.baseVersion, breaking: r.breaking, changes: r.changes });
    }
    return { compatible: items.every((i) => i.compatible), items };
  });

  app.get<{ Params: Static<typeof SubjectParams> }>(
    '/admin/contracts/:subject',
    { schema: { tags: ['admin'], summary: 'A subject: its versions and proposals', params: SubjectParams } },
    async (req) => {
      const subject = await registry.subject(req.params.subject);
      const [versions, proposals] = await Promise.all([registry.versions(subject.subject), registry.proposals(subject.subject)]);
      return { ...subject, versions, proposals };
    },
  );
}
