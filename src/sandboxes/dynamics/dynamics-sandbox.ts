/**
 * The Dynamics 365 sandbox: the Dataverse Web API (OData v4, `/api/data/v9.2/`) behind a
 * Microsoft identity platform token endpoint, with change notifications to registered webhooks,
 * built on the sandbox kit (faults, admin endpoints, state store). {@link dynamicsSandbox} is the
 * registered factory; {@link createDynamicsSandbox} makes one with other settings.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { acceptVendorBodies, defineSandbox } from '../kit/index.ts';
import type { SandboxContext, SandboxFactory } from '../kit/index.ts';
import { AccessTokens, IdentityError, registerTokenRoute } from './auth.ts';
import { DEFAULT_DYNAMICS_CONFIG, type DynamicsSandboxConfig } from './config.ts';
import { registerEntityRoutes } from './entity-routes.ts';
import { CODES, DataverseError, renderDataverseError } from './errors.ts';
import { Records } from './records.ts';
import { seedDynamics } from './seed.ts';
import { RowStore, type Row } from './store.ts';
import { notifyWebhooks } from './webhooks.ts';

/** Makes a Dynamics 365 sandbox factory with the given settings. */
export function createDynamicsSandbox(overrides: Partial<DynamicsSandboxConfig> = {}): SandboxFactory {
  const config: DynamicsSandboxConfig = { ...DEFAULT_DYNAMICS_CONFIG, ...overrides };
  const parts = new WeakMap<SandboxContext, { records: Records; tokens: AccessTokens }>();
  const build = (kit: SandboxContext): { records: Records; tokens: AccessTokens } => {
    let built = parts.get(kit);
    if (!built) {
      const store = new RowStore(kit.store.collection<Row>('rows'), kit.store.collection<{ n: number }>('counters'));
      const records: Records = new Records(store, (change) => notifyWebhooks(change, records, kit.events, config.organizationName));
      built = { records, tokens: new AccessTokens() };
      parts.set(kit, built);
    }
    return built;
  };

  return defineSandbox({
    name: 'dynamics',
    renderError: renderDataverseError,
    async routes(app: FastifyInstance, kit: SandboxContext) {
      const { records, tokens } = build(kit);
      acceptVendorBodies(app, (detail) => new DataverseError(400, CODES.badPayload, `Error identified in Payload provided by the user: the JSON could not be read (${detail}).`));
      app.setErrorHandler((error: FastifyError, _request, reply) => {
        if (error instanceof DataverseError) return reply.code(error.status).headers(error.headers).send(error.toBody());
        if (error instanceof IdentityError) return reply.code(error.status).send(error.toBody());
        if (error.code?.startsWith('FST_ERR_CTP') || error.statusCode === 400 || error.statusCode === 415) {
          return reply.code(error.statusCode ?? 400).send({ error: { code: CODES.badPayload, message: error.message } });
        }
        return reply.code(500).send({ error: { code: CODES.unexpected, message: `An unexpected error occurred: ${error.message}` } });
      });
      app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: { code: CODES.odataInvalid, message: `Resource not found for the segment '${request.url}'.` } }));
      registerTokenRoute(app, config, tokens, kit.faults, () => kit.url);
      await app.register(async (api) => {
        api.addHook('onRequest', (request, reply, done) => {
          if (tokens.valid(request.headers.authorization)) {
            done();
            return;
          }
          void reply
            .code(401)
            .header('www-authenticate', `Bearer authorization_uri=${kit.url}/${config.tenantId}/oauth2/authorize, resource_id=${kit.url}`)
            .send();
        });
        registerEntityRoutes(api, { records, organizationName: config.organizationName });
      });
    },
    seed(kit: SandboxContext) {
      seedDynamics(build(kit).records);
    },
    summary() {
      return { identity: { tenantId: config.tenantId, clientId: config.clientId, tokenUrl: `/${config.tenantId}/oauth2/v2.0/token`, scope: '<sandbox url>/.default' } };
    },
  });
}

/** The Dynamics 365 sandbox with default settings, as the registry lists it. */
export const dynamicsSandbox: SandboxFactory = createDynamicsSandbox();
