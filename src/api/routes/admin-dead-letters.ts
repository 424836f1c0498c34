/**
 * Admin API for dead letters: list (filter by destination, source, error class, time range,
 * state), inspect, and replay or discard one or all that match a filter. Who replayed or discarded
 * is the authenticated key (its label and id), never a name the client sends.
 */
import { Type, type Static } from '@sinclair/typebox';
import { noBody } from '../route-config.ts';
import type { FastifyInstance } from 'fastify';
import { validationError } from '../../core/errors.ts';
import type { DeadLetterFilter, DeadLetters } from '../../engine/dead-letters.ts';
import { actorName } from '../../security/principal.ts';

const FilterFields = {
  destination: Type.Optional(Type.String({ minLength: 1 })),
  source: Type.Optional(Type.String({ minLength: 1 })),
  errorClass: Type.Optional(Type.Union([Type.Literal('retryable'), Type.Literal('rate-limited'), Type.Literal('permanent')])),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
};

const ListQuery = Type.Object(
  {
    ...FilterFields,
    state: Type.Optional(Type.Union(['parked', 'replayed', 'discarded', 'any'].map((s) => Type.Literal(s)))),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);

const BulkBody = Type.Object(
  { ...FilterFields, ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 10000 })) },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

/** Registers the dead-letter routes under `/admin/dead-letters`. */
export function deadLetterRoutes(app: FastifyInstance, deadLetters: DeadLetters): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/admin/dead-letters', { schema: { querystring: ListQuery } }, async (req) => {
    const { limit, offset, state, ...rest } = req.query;
    const filter = toFilter(rest);
    return { items: await deadLetters.list({ ...filter, state: (state ?? 'parked') as DeadLetterFilter['state'] }, limit, offset) };
  });

  app.get<{ Params: Static<typeof IdParams> }>('/admin/dead-letters/:id', { schema: { params: IdParams } }, async (req) =>
    deadLetters.get(req.params.id),
  );

  for (const action of ['replay', 'discard'] as const) {
    app.post<{ Params: Static<typeof IdParams> }>(`/admin/dead-letters/:id/${action}`, { schema: { params: IdParams }, preValidation: noBody }, async (req) => {
      await deadLetters.get(req.params.id);
      const count = await deadLetters[action]({ ids: [req.params.id] }, actorName(req));
      if (count === 0) throw validationError(`dead letter ${req.params.id} is not parked`, { status: 409, type: 'not-parked' });
      return { [action === 'replay' ? 'replayed' : 'discarded']: count };
    });
    app.post<{ Body: Static<typeof BulkBody> }>(`/admin/dead-letters/${action}`, { schema: { body: BulkBody } }, async (req) => {
      const { ids, ...rest } = req.body;
      const filter = { ...toFilter(rest), ...(ids === undefined ? {} : { ids }) };
      if (Object.keys(filter).length === 0) {
        throw validationError(`a bulk ${action} needs a filter (ids, destination, source, errorClass, from or to)`);
      }
      return { [action === 'replay' ? 'replayed' : 'discarded']: await deadLetters[action](filter, actorName(req)) };
    });
  }
}

function toFilter(q: { destination?: string; source?: string; errorClass?: DeadLetterFilter['errorClass']; from?: string; to?: string }): DeadLetterFilter {
  return {
    ...(q.destination === undefined ? {} : { destination: q.destination }),
    ...(q.source === undefined ? {} : { source: q.source }),
    ...(q.errorClass === undefined ? {} : { errorClass: q.errorClass }),
    ...(q.from === undefined ? {} : { from: Date.parse(q.from) }),
    ...(q.to === undefined ? {} : { to: Date.parse(q.to) }),
  };
}
