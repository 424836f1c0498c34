/**
 * Stripe's request parameters: form-encoded bodies with bracket nesting (`items[0][price]=…`,
 * `metadata[k]=v`, `expand[]=…`), the same in query strings (`form-decode.ts`). The accessors
 * check types and throw Stripe's own 400s naming the parameter.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeForm } from './form-decode.ts';
import { invalidParam, missingParam } from './stripe-error.ts';

/** Parsed request parameters. */
export type Params = Record<string, unknown>;

// The raw form body, kept on the request as a Fastify decoration (a field every request of the
// scope is built with) rather than in a WeakMap: a WeakMap entry per request is an ephemeron the
// collector has to process, and these requests come by the thousand.
const RAW_BODY = 'stripeRawBody';
type WithRawBody = FastifyRequest & { [RAW_BODY]: string | null };

/** Teaches `scope` to parse `application/x-www-form-urlencoded` bodies as Stripe does. */
export function registerFormParser(scope: FastifyInstance): void {
  scope.decorateRequest(RAW_BODY, null);
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    (request as WithRawBody)[RAW_BODY] = text;
    done(null, decodeForm(text));
  });
}

/**
 * The parameters of a request as one comparable string: the raw form body when there is one
 * (clients resend the same bytes on a retry), else the parsed parameters with sorted keys.
 */
export function paramsFingerprint(request: FastifyRequest): string {
  return (request as Partial<WithRawBody>)[RAW_BODY] ?? canonicalParams(paramsOf(request));
}

/** The parameters of a request: its form body for POST, its query string otherwise. */
export function paramsOf(request: FastifyRequest): Params {
  const body = request.body;
  if (request.method === 'POST' && typeof body === 'object' && body !== null && !Array.isArray(body)) {
    return body as Params;
  }
  const at = request.url.indexOf('?');
  return at < 0 ? {} : decodeForm(request.url.slice(at + 1));
}

/** An optional string parameter. */
export function optString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParam(name, `Invalid string: ${name} must be a string.`);
  return value;
}

/** A required, non-empty string parameter. */
export function reqString(params: Params, name: string): string {
  const value = optString(params, name);
  if (value === undefined || value === '') throw missingParam(name);
  return value;
}

/** An optional integer parameter (form values arrive as strings). */
export function optInt(params: Params, name: string, min = 0): number | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min) {
    throw invalidParam(name, `Invalid integer: ${String(value)}`, 'parameter_invalid_integer');
  }
  return n;
}

/** An optional boolean parameter (`true`/`false`). */
export function optBool(params: Params, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalidParam(name, `Invalid boolean: ${String(value)}`, 'parameter_invalid_boolean');
}

/** An optional nested object parameter, e.g. `recurring[interval]=month`. */
export function optObject(params: Params, name: string): Params | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidParam(name, `Invalid object: ${name} must be a hash.`, 'parameter_invalid_object');
  }
  return value as Params;
}

/** An array parameter (a lone value counts as a one-item array). */
export function optArray(params: Params, name: string): unknown[] | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (Array.isArray(value)) return value;
  if (typeof value === 'object' && value !== null) return Object.values(value);
  if (typeof value === 'string') return [value];
  throw invalidParam(name, `Invalid array: ${name}`, 'parameter_invalid_array');
}

/** The `expand[]` paths of a request. */
export function expandOf(params: Params): string[] {
  return (optArray(params, 'expand') ?? []).map(String);
}

/**
 * Stripe's metadata update rules: keys are merged, a key set to '' is removed, and
 * `metadata=` (empty) clears everything.
 */
export function mergeMetadata(params: Params, current: Record<string, string> = {}): Record<string, string> {
  const value = params.metadata;
  if (value === undefined) return current;
  if (value === '') return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidParam('metadata', 'Invalid object: metadata must be a hash of strings.', 'parameter_invalid_object');
  }
  const out = { ...current };
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalidParam(`metadata[${key}]`, 'Metadata values must be strings.');
    if (v === '') delete out[key];
    else out[key] = v;
  }
  return out;
}

/** Parameters in a canonical string (keys sorted), to compare an idempotent retry with the original. */
export function canonicalParams(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}
