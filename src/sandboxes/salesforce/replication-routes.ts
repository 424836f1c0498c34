/**
 * Data replication: `GET /sobjects/{T}/updated/?start=&end=` lists ids changed in a window and
 * `GET /sobjects/{T}/deleted/?start=&end=` lists deletions — how a poller finds what changed
 * without CDC. Windows are ISO datetimes; deletions stay available while in the recycle bin.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { typeParam } from './context.ts';
import type { SalesforceContext } from './context.ts';
import { SalesforceError } from './errors.ts';
import { toSfDateTime } from './validate.ts';

type Params = Record<string, string | undefined>;

/** Registers `updated` and `deleted` (inside the `/services/data/:version` scope). */
export function registerReplicationRoutes(app: FastifyInstance, ctx: SalesforceContext): void {
  const updated = async (request: FastifyRequest): Promise<unknown> => {
    const type = typeParam((request.params as Params)['type']);
    const { start, end } = window(request);
    const ids = ctx.store
      .list(type.name)
      .filter((r) => inWindow(r.fields['SystemModstamp'], start, end))
      .map((r) => r.id);
    return { ids, latestDateCovered: toSfDateTime(new Date(Math.min(end, Date.now()))) };
  };
  const deleted = async (request: FastifyRequest): Promise<unknown> => {
    const type = typeParam((request.params as Params)['type']);
    const { start, end } = window(request);
    const deletedRecords = ctx.store
      .list(type.name, true)
      .filter((r) => r.deleted && inWindow(r.fields['SystemModstamp'], start, end))
      .map((r) => ({ id: r.id, deletedDate: r.fields['SystemModstamp'] }));
    const earliest = ctx.store.list(type.name, true).reduce((min, r) => Math.min(min, Date.parse(String(r.fields['CreatedDate']))), Date.now());
    return { deletedRecords, earliestDateAvailable: toSfDateTime(new Date(earliest)), latestDateCovered: toSfDateTime(new Date(Math.min(end, Date.now()))) };
  };
  for (const suffix of ['', '/']) {
    app.get(`/sobjects/:type/updated${suffix}`, updated);
    app.get(`/sobjects/:type/deleted${suffix}`, deleted);
  }
}

function window(request: FastifyRequest): { start: number; end: number } {
  const { start, end } = request.query as Params;
  const s = start === undefined ? NaN : Date.parse(start);
  const e = end === undefined ? NaN : Date.parse(end);
  if (Number.isNaN(s) || Number.isNaN(e)) {
    throw new SalesforceError(400, 'MISSING_ARGUMENT', 'start and end are required ISO 8601 datetimes, e.g. start=2024-06-01T00:00:00Z&end=2024-06-02T00:00:00Z');
  }
  if (e < s) throw new SalesforceError(400, 'INVALID_REPLICATION_DATE', 'end must be after start');
  return { start: s, end: e };
}

function inWindow(stamp: unknown, start: number, end: number): boolean {
  const t = typeof stamp === 'string' ? Date.parse(stamp) : NaN;
  return t >= start && t < end;
}
