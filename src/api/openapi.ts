/**
 * The OpenAPI 3.1 document, generated from the same TypeBox schemas that validate requests
 * (@fastify/swagger collects them as routes are registered), served at `/openapi.json`, and a
 * browsable page at `/docs` (Swagger UI, its assets served from the npm package, no CDN).
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { PROBLEM_BASE, PROBLEM_TYPES } from './problem.ts';

/** Registers the document and the docs page; call before the routes it should describe. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Interlock API',
        version: '1',
        description:
          'Synchronous operations (`/v1`), the admin API (`/admin`) and webhook intake (`/hooks`). Errors are RFC 9457 problem+json; ' +
          'every POST accepts `Idempotency-Key` (same key and body: the stored answer, marked `Idempotent-Replayed: true`; other body: 422; still running: 409).\n\n' +
          `Problem types (\`${PROBLEM_BASE}<slug>\`):\n\n| slug | meaning |\n| --- | --- |\n${Object.entries(PROBLEM_TYPES).map(([slug, meaning]) => `| \`${slug}\` | ${meaning} |`).join('\n')}`,
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (`ilk_live_…`) from `interlock keys create` or `POST /admin/keys`.' } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
