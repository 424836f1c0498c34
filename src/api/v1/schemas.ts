/**
 * Schemas shared by the `/v1` routes: the problem+json body, freshness fields, identifiers and
 * the error responses every operation documents.
 */
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/**
 * `t` or null, as a type array (`"type": ["string", "null"]`, OpenAPI 3.1) when `t` names one type:
 * Fastify's serializer writes a type array with a `typeof` check, whereas an `anyOf` makes it
 * run a schema validator on the value to pick the branch, for every nullable field of every answer.
 */
export function Nullable<T extends TSchema>(t: T): TUnsafe<Static<T> | null> {
  if (typeof t.type !== 'string') return Type.Union([t, Type.Null()]) as unknown as TUnsafe<Static<T> | null>;
  // String keys only: TypeBox's own symbol-keyed markers belong to `t`, not to its nullable twin.
  return Type.Unsafe<Static<T> | null>({ ...Object.fromEntries(Object.entries(t)), type: [t.type, 'null'] });
}

/** RFC 9457 problem details. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri', description: 'Stable problem type: https://interlock.dev/problems/<slug>' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details' },
);

/** A Salesforce record id. */
export const SalesforceId = Type.String({ pattern: '^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$', description: 'Salesforce record id (15 or 18 characters)' });

/** An ISO 4217 currency code. */
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code' });

/** Freshness of an answer built from downstream copies. */
export const FreshnessFields = {
  stale: Type.Boolean({ description: 'True when a downstream system did not answer in time and the last synced copy was used.' }),
  ageSeconds: Type.Integer({ minimum: 0, description: 'Age of the oldest copy used, whole seconds (0 when just fetched).' }),
  ageMs: Type.Integer({ minimum: 0, description: 'Age of the oldest copy used, ms: 0 when just fetched, under the freshness window when a recent copy answered (`stale: false`).' }),
  staleReason: Type.Optional(Type.String()),
};

/** A freshness object. */
export const FreshnessSchema = Type.Object({ stale: Type.Boolean(), ageSeconds: Type.Integer({ minimum: 0 }), ageMs: Type.Integer({ minimum: 0 }), reason: Type.Optional(Type.String()) });

/** The request header that makes an operation ask the systems of record even within a freshness window. */
export const CacheControlHeaders = Type.Object({
  'cache-control': Type.Optional(Type.String({ description: '`no-cache` (or `max-age=0`): ask the systems of record now, even if a copy within the freshness window could answer.' })),
});

/** Whether a request's `Cache-Control` demands an answer straight from the systems of record. */
export function wantsRevalidation(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return /(^|,)\s*(no-cache|no-store|max-age\s*=\s*0)\s*(,|$)/i.test(value);
}

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });

/** The error answers of every operation, documented once. */
export const ERROR_RESPONSES = {
  '4xx': problem('The request cannot be served as sent (invalid input 400/422, unknown credentials 401, role too low 403, not found 404, Idempotency-Key in flight 409, rate limited 429).'),
  '5xx': problem('A downstream system is unavailable and no copy may answer (503), or the connectors are not configured (503).'),
};

/** A 200/201/202 JSON answer plus the error answers. */
export function responses(status: number, schema: TSchema, description: string): Record<string, unknown> {
  return { [status]: { description, content: { 'application/json': { schema } } }, ...ERROR_RESPONSES };
}

/** The `Idempotency-Key` header every POST documents. */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Makes a retry of this POST safe: the same key and body within 24 h get the stored answer.' })),
});
