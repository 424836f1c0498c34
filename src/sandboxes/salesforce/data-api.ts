/**
 * The REST API scope `/services/data/vXX.X/`: session check, the daily allowance and the
 * `Sforce-Limit-Info` header around every call, then the resource routes. `GET /services/data/`
 * lists versions and, as in Salesforce, needs no session and counts nothing.
 */
import type { FastifyInstance } from 'fastify';
import { registerCollectionRoutes } from './collections-routes.ts';
import { SUBREQUEST_HEADER, SUBREQUEST_SECRET, registerCompositeRoute } from './composite-routes.ts';
import { apiVersion } from './context.ts';
import type { SalesforceContext } from './context.ts';
import { registerQueryRoutes } from './query-routes.ts';
import { registerReplicationRoutes } from './replication-routes.ts';
import { registerSObjectRoutes } from './sobject-routes.ts';

const VERSIONS = ['55.0', '56.0', '57.0', '58.0', '59.0', '60.0', '61.0', '62.0', '63.0', '64.0'];

/** Registers the versioned REST API and the version list. */
export async function registerDataApi(app: FastifyInstance, ctx: SalesforceContext): Promise<void> {
  app.get('/services/data', async () => VERSIONS.map((v) => ({ label: `API ${v}`, url: `/services/data/v${v}`, version: v })));
  app.get('/services/data/', async () => VERSIONS.map((v) => ({ label: `API ${v}`, url: `/services/data/v${v}`, version: v })));

  await app.register(
    async (api) => {
      // Callback-style hooks: they run on every API call, and skip the promise an async hook costs.
      api.addHook('onRequest', (request, _reply, done) => {
        try {
          ctx.sessions.check(request.headers.authorization);
          apiVersion(request);
          // A composite request counts once; its subrequests do not count again.
          if (request.headers[SUBREQUEST_HEADER] !== SUBREQUEST_SECRET) ctx.usage.count();
        } catch (err) {
          done(err as Error);
          return;
        }
        done();
      });
      api.addHook('onSend', (_request, reply, payload, done) => {
        reply.header('Sforce-Limit-Info', ctx.usage.header());
        done(null, payload);
      });
      api.get('/', async (request) => {
        const base = `/services/data/v${apiVersion(request)}`;
        return { sobjects: `${base}/sobjects`, query: `${base}/query`, queryAll: `${base}/queryAll`, limits: `${base}/limits`, composite: `${base}/composite` };
      });
      api.get('/limits', async () => ({
        DailyApiRequests: { Max: ctx.usage.limit, Remaining: Math.max(0, ctx.usage.limit - ctx.usage.used()) },
      }));
      registerSObjectRoutes(api, ctx);
      registerReplicationRoutes(api, ctx);
      registerQueryRoutes(api, ctx);
      registerCollectionRoutes(api, ctx);
      registerCompositeRoute(api, ctx);
    },
    { prefix: '/services/data/:version' },
  );
}
