/**
 * `POST /composite`: up to 25 subrequests run in order, each a REST call under
 * `/services/data/vXX.X/`, with `@{referenceId.path}` references to earlier results in URLs and
 * bodies. The answer is always 200 with `compositeResponse` entries
 * `{body, httpHeaders, httpStatusCode, referenceId}`. With `allOrNone` the subrequests form one
 * transaction: the first failure rolls everything back and the others report `PROCESSING_HALTED`.
 * The whole request counts as one API call.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { apiVersion, changeOrigin } from './context.ts';
import type { SalesforceContext } from './context.ts';
import { SalesforceError } from './errors.ts';

/** Header that marks a subrequest, so it is not counted against the allowance again. */
export const SUBREQUEST_HEADER = 'x-interlock-composite-subrequest';

/** The secret value of {@link SUBREQUEST_HEADER}, so clients cannot forge it. */
export const SUBREQUEST_SECRET = randomUUID();

const MAX_SUBREQUESTS = 25;
const FORBIDDEN_HEADERS = ['accept', 'authorization', 'content-type'];

interface SubRequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
  httpHeaders?: Record<string, string>;
}

interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

/** Registers `/composite` (inside the `/services/data/:version` scope). */
export function registerCompositeRoute(app: FastifyInstance, ctx: SalesforceContext): void {
  app.post('/composite', async (request) => {
    const version = apiVersion(request);
    const { subrequests, allOrNone } = parse(request.body);
    const results: SubResponse[] = [];
    const outputs = new Map<string, unknown>();
    let failed = false;
    const run = async (): Promise<boolean> => {
      for (const sub of subrequests) {
        if (failed && allOrNone) break;
        let url: string;
        let body: unknown;
        try {
          url = String(resolve(sub.url, outputs));
          body = sub.body === undefined ? undefined : resolve(sub.body, outputs);
        } catch (err) {
          failed = true;
          results.push(halted(sub.referenceId, err instanceof Error ? err.message : 'Invalid reference specified.'));
          continue;
        }
        if (!/^\/services\/data\/v\d{2}\.0\//.test(url)) {
          failed = true;
          results.push({ body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }], httpHeaders: {}, httpStatusCode: 404, referenceId: sub.referenceId });
          continue;
        }
        const res = await request.server.inject({
          method: sub.method as 'GET',
          url,
          headers: {
            ...sub.httpHeaders,
            authorization: request.headers.authorization ?? '',
            'content-type': 'application/json',
            [SUBREQUEST_HEADER]: SUBREQUEST_SECRET,
            ...(request.headers['sforce-call-options'] ? { 'sforce-call-options': String(request.headers['sforce-call-options']) } : {}),
          },
          ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
        });
        const parsed: unknown = res.body === '' ? null : JSON.parse(res.body);
        const headers: Record<string, string> = {};
        if (res.statusCode === 201 && parsed && typeof parsed === 'object' && 'id' in parsed) {
          const type = /\/sobjects\/(\w+)/.exec(url)?.[1] ?? '';
          headers['Location'] = `/services/data/v${version}/sobjects/${type}/${String((parsed as { id: unknown }).id)}`;
        }
        results.push({ body: parsed, httpHeaders: headers, httpStatusCode: res.statusCode, referenceId: sub.referenceId });
        if (res.statusCode >= 400) failed = true;
        else outputs.set(sub.referenceId, parsed);
      }
      return !(failed && allOrNone);
    };
    if (allOrNone) await ctx.store.batch(changeOrigin(request), run);
    else await run();
    if (failed && allOrNone) {
      // Everything was rolled back: every entry but the failure itself reports the halt.
      const failure = results.findIndex((r) => r.httpStatusCode >= 400);
      return {
        compositeResponse: subrequests.map((sub, i) =>
          i === failure && results[i] ? results[i] : halted(sub.referenceId, 'The transaction was rolled back since another operation in the same transaction failed.'),
        ),
      };
    }
    return { compositeResponse: results };
  });
}

function halted(referenceId: string, message: string): SubResponse {
  return { body: [{ errorCode: 'PROCESSING_HALTED', message }], httpHeaders: {}, httpStatusCode: 400, referenceId };
}

function parse(body: unknown): { subrequests: SubRequest[]; allOrNone: boolean } {
  const b = body as Record<string, unknown> | null | undefined;
  const list = b?.['compositeRequest'];
  if (!Array.isArray(list) || list.length === 0) {
    throw new SalesforceError(400, 'JSON_PARSER_ERROR', 'The request body must contain a non-empty compositeRequest array.');
  }
  if (list.length > MAX_SUBREQUESTS) {
    throw new SalesforceError(400, 'INVALID_BATCH_REQUEST', `Composite request limit exceeded: at most ${MAX_SUBREQUESTS} subrequests.`);
  }
  const seen = new Set<string>();
  const subrequests = list.map((raw: unknown) => {
    const sub = (raw ?? {}) as Record<string, unknown>;
    const { method, url, referenceId, httpHeaders } = sub;
    if (typeof method !== 'string' || !['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(method) || typeof url !== 'string' || typeof referenceId !== 'string' || !/^[A-Za-z0-9_]+$/.test(referenceId)) {
      throw new SalesforceError(400, 'JSON_PARSER_ERROR', 'Each subrequest needs method, url and an alphanumeric referenceId.');
    }
    if (seen.has(referenceId)) throw new SalesforceError(400, 'INVALID_INPUT', `Duplicate referenceId provided in the request: ${referenceId}`);
    seen.add(referenceId);
    const headers = httpHeaders && typeof httpHeaders === 'object' ? (httpHeaders as Record<string, string>) : undefined;
    const forbidden = Object.keys(headers ?? {}).find((h) => FORBIDDEN_HEADERS.includes(h.toLowerCase()));
    if (forbidden) throw new SalesforceError(400, 'INVALID_INPUT', `The header ${forbidden} is not allowed in a subrequest.`);
    return { method, url, referenceId, body: sub['body'], ...(headers ? { httpHeaders: headers } : {}) };
  });
  return { subrequests, allOrNone: b?.['allOrNone'] === true };
}

/** Replaces `@{ref.path}` in strings (recursively through objects and arrays). */
function resolve(value: unknown, outputs: ReadonlyMap<string, unknown>): unknown {
  if (typeof value === 'string') {
    return value.replace(/@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g, (_, ref: string, path: string) => {
      if (!outputs.has(ref)) throw new Error(`Invalid reference specified. No value for ${ref}${path} found in ${ref}. Provided referenceId ('${ref}') is incorrect.`);
      let current: unknown = outputs.get(ref);
      for (const step of path.match(/[A-Za-z0-9_]+|\d+/g) ?? []) {
        current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[step] : undefined;
      }
      if (current === undefined || current === null) throw new Error(`Invalid reference specified. No value for ${ref}${path} found in ${ref}.`);
      return String(current);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, outputs));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, outputs)]));
  }
  return value;
}
