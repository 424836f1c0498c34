/**
 * `POST /hooks/:source`: the inbox's front door. The raw event is stored before the answer (202);
 * a duplicate answers 202 too and is not processed again. Bad input — unknown source, malformed
 * JSON, a body over the limit, no event id, a signature that does not verify (401) — answers
 * 4xx problem+json and stores nothing.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../core/config.ts';
import { notFoundError, validationError } from '../../core/errors.ts';
import type { Inbox } from '../../engine/inbox.ts';
import { pathGetter } from '../../engine/router.ts';
import { jsonDepthExceeds, jsonTooDeep } from '../../security/request-limits.ts';
import { verifyWebhook } from '../../security/webhook-signature.ts';

// Credentials and hop-by-hop headers are not kept with the event.
const DROPPED_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

/** Registers the webhook intake route in its own scope (it reads bodies as raw text). */
export async function hookRoutes(app: FastifyInstance, options: { config: Config; inbox: Inbox }): Promise<void> {
  const { config, inbox } = options;
  const idReaders = new Map(
    Object.entries(config.sources).map(([name, s]) => {
      const loc = s.eventId;
      const read =
        'header' in loc
          ? (headers: Record<string, string | string[] | undefined>) => first(headers[loc.header])
          : (() => {
              const get = pathGetter(loc.path);
              return (_h: unknown, body: unknown) => {
                const v = get(body);
                return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
              };
            })();
      return [name, { read, where: 'header' in loc ? `header "${loc.header}"` : `body path "${loc.path}"` }] as const;
    }),
  );

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Keep the body exactly as sent: signatures are computed over the raw bytes.
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: config.server.bodyLimit }, (_req, body, done) =>
      done(null, body),
    );
    scope.post<{ Params: { source: string }; Body: string }>('/hooks/:source', async (req, reply) => {
      const { source } = req.params;
      const reader = idReaders.get(source);
      if (reader === undefined) throw notFoundError(`no source named "${source}" is configured`, { type: 'unknown-source' });
      const raw = typeof req.body === 'string' ? req.body : '';
      const signature = config.sources[source]?.signature;
      if (signature !== undefined) {
        const base = signature.publicUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.host}`;
        verifyWebhook(signature, { method: req.method, url: base + req.url, headers: req.headers, rawBody: raw }, Date.now());
      }
      if (jsonDepthExceeds(raw, config.server.jsonDepth)) throw jsonTooDeep(config.server.jsonDepth);
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        throw validationError('request body is not valid JSON', { type: 'malformed-json' });
      }
      const eventId = reader.read(req.headers, body);
      if (eventId === undefined || eventId === '') {
        throw validationError(`the event id was not found at ${reader.where}`, { type: 'missing-event-id' });
      }
      if (eventId.length > 512) throw validationError('the event id is longer than 512 characters', { type: 'invalid-event-id' });
      const headers: Record<string, string> = {};
      // for…in, not Object.entries: no array of pairs per request.
      for (const k in req.headers) {
        const v = req.headers[k];
        if (v !== undefined && !DROPPED_HEADERS.has(k)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      }
      const accepted = await inbox.accept({ source, eventId, headers, body: raw, parsed: body });
      return reply.code(202).send({ id: accepted.id, eventId, duplicate: accepted.duplicate });
    });
  });
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
