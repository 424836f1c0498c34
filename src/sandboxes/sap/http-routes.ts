/**
 * The HTTP face of the OData services under `/sap/opu/odata/sap/<SERVICE>/…`: authentication on
 * every call, the CSRF handshake (fetch on GET/HEAD, check on every modifying call and `$batch`),
 * `X-HTTP-Method` tunnelling, and `$batch` executed part by part with changesets atomic.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FaultController } from '../kit/index.ts';
import type { SapTokens } from './auth.ts';
import type { CsrfSessions } from './csrf.ts';
import { SapError, badRequest } from './errors.ts';
import { parseBatch, renderBatch, type BatchAnswer, type BatchRequest } from './odata/batch.ts';
import { handleOData, type ODataAnswer, type ResourceDeps } from './resources.ts';

/** Route prefix of the OData services. */
export const ODATA_PREFIX = '/sap/opu/odata/sap/';

/** What the routes need. */
export interface HttpDeps extends ResourceDeps {
  tokens: SapTokens;
  csrf: CsrfSessions;
  faults: FaultController;
  csrfSeconds: number;
}

const MODIFYING = new Set(['POST', 'PUT', 'PATCH', 'MERGE', 'DELETE']);

/** Registers the OData routes. */
export function registerODataRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.addContentTypeParser('multipart/mixed', { parseAs: 'string' }, (_request, body, done) => done(null, String(body)));
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: `${ODATA_PREFIX}*`,
    handler: (request, reply) => handle(deps, request, reply),
  });
}

function handle(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const user = deps.tokens.user(request.headers.authorization);
  const tunnelled = request.method === 'POST' ? header(request, 'x-http-method')?.toUpperCase() : undefined;
  const method = tunnelled ?? request.method;
  const cookie = header(request, 'cookie');
  const csrfHeader = header(request, 'x-csrf-token');
  if (MODIFYING.has(method) || request.method === 'POST') {
    if (!deps.csrf.valid(user, cookie, csrfHeader)) {
      return reply.code(403).header('x-csrf-token', 'Required').type('text/plain; charset=utf-8').send('CSRF token validation failed');
    }
  } else if (csrfHeader?.toLowerCase() === 'fetch') {
    const { token, setCookie } = deps.csrf.fetch(user, cookie, deps.faults.get().tokenTtlSeconds ?? deps.csrfSeconds);
    reply.header('x-csrf-token', token);
    if (setCookie.length > 0) reply.header('set-cookie', setCookie);
  }
  const url = new URL(request.url, 'http://sandbox');
  const rest = decodeURIComponent(url.pathname.slice(ODATA_PREFIX.length));
  const slash = rest.indexOf('/');
  const service = slash < 0 ? rest : rest.slice(0, slash);
  const resource = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/$/, '');
  if (resource === '$batch') {
    if (request.method !== 'POST') throw badRequest('$batch is called with POST');
    const batch = runBatch(deps, service, String(request.body ?? ''), header(request, 'content-type'));
    return reply.code(202).header('content-type', batch.contentType).send(batch.body);
  }
  const answer = handleOData(deps, { method, service, resource, query: url.searchParams, headers: request.headers as Record<string, string | undefined>, body: request.body });
  reply.code(answer.status).headers(answer.headers);
  if (request.method === 'HEAD' || answer.status === 204) return reply.send();
  return reply.send(answer.body);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function runBatch(deps: HttpDeps, service: string, body: string, contentType: string | undefined): { contentType: string; body: string } {
  const parts = parseBatch(body, contentType);
  const answers = parts.map((part) => {
    if (part.kind === 'request') return toBatchAnswer(() => run(deps, service, part.request));
    try {
      const changeset = deps.store.atomically(() =>
        part.requests.map((r) => {
          const answer = run(deps, service, r);
          if (answer.status >= 400) throw new ChangesetFailed(answer);
          return toBatchAnswer(() => answer);
        }),
      );
      return { changeset };
    } catch (err) {
      if (err instanceof ChangesetFailed) return { failed: toBatchAnswer(() => err.answer) };
      return { failed: toBatchAnswer(() => { throw err; }) };
    }
  });
  return renderBatch(answers);
}

class ChangesetFailed extends Error {
  readonly answer: ODataAnswer;
  constructor(answer: ODataAnswer) {
    super('changeset failed');
    this.answer = answer;
  }
}

function run(deps: HttpDeps, service: string, r: BatchRequest): ODataAnswer {
  const url = new URL(r.url, 'http://sandbox/');
  let body: unknown = undefined;
  if (r.body.trim() !== '') {
    try {
      body = JSON.parse(r.body);
    } catch {
      throw badRequest('The batch part body is not valid JSON');
    }
  }
  return handleOData(deps, { method: r.method, service, resource: decodeURIComponent(url.pathname.replace(/^\//, '')).replace(/\/$/, ''), query: url.searchParams, headers: r.headers, body });
}

function toBatchAnswer(produce: () => ODataAnswer): BatchAnswer {
  try {
    const a = produce();
    return { status: a.status, headers: a.headers, body: a.status === 204 ? '' : typeof a.body === 'string' ? a.body : JSON.stringify(a.body) };
  } catch (err) {
    const e = err instanceof SapError ? err : new SapError(500, '/IWFND/CM_BEC/026', err instanceof Error ? err.message : String(err));
    return { status: e.status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(e.toBody()) };
  }
}
