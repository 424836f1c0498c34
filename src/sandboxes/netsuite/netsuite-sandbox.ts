/**
 * The NetSuite sandbox: OAuth 2.0 M2M token endpoint, the REST record service (synchronous or
 * `Prefer: respond-async` with idempotency keys), SuiteQL, and the account-wide concurrency limit, built on the sandbox kit (faults, admin endpoints, state
 * store). {@link netSuiteSandbox} is the registered factory; {@link createNetSuiteSandbox} makes
 * one with other settings (account, integration, certificate, concurrency limit).
 */
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { FastifyError, FastifyInstance } from 'fastify';
import { acceptVendorBodies, defineSandbox } from '../kit/index.ts';
import type { SandboxContext, SandboxFactory } from '../kit/index.ts';
import { registerAsyncJobs } from './async-jobs.ts';
import type { AsyncJob } from './async-jobs.ts';
import { NsOAuthError, NsTokens, publicKeyFrom, registerTokenRoute } from './auth.ts';
import { limitConcurrency } from './concurrency.ts';
import { DEFAULT_NETSUITE_CONFIG } from './config.ts';
import type { NetSuiteSandboxConfig } from './config.ts';
import { NetSuiteError, errorBody, renderNetSuiteError } from './errors.ts';
import { registerRecordRoutes } from './record-routes.ts';
import { seedNetSuite } from './seed.ts';
import { NsStore } from './store.ts';
import type { NsRecord } from './store.ts';
import { registerSuiteQlRoute } from './suiteql-routes.ts';

interface Parts {
  readonly store: NsStore;
  readonly tokens: NsTokens;
}

/** Makes a NetSuite sandbox factory with the given settings. */
export function createNetSuiteSandbox(overrides: Partial<NetSuiteSandboxConfig> = {}): SandboxFactory {
  const config: NetSuiteSandboxConfig = { ...DEFAULT_NETSUITE_CONFIG, ...overrides };
  let publicKey: KeyObject | undefined;
  let privateKeyPem: string | undefined;
  // Without a configured certificate, a key pair is made once per factory so a local integration can sign.
  const key = (): KeyObject => {
    if (publicKey) return publicKey;
    if (config.publicKey) {
      publicKey = publicKeyFrom(config.publicKey);
    } else {
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      publicKey = pair.publicKey;
      privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    }
    return publicKey;
  };
  const parts = new WeakMap<SandboxContext, Parts>();
  const build = (kit: SandboxContext): Parts => {
    let built = parts.get(kit);
    if (!built) {
      built = { store: new NsStore(kit.store.collection<NsRecord>('records'), kit.store.collection<{ n: number }>('counters')), tokens: new NsTokens() };
      parts.set(kit, built);
    }
    return built;
  };

  return defineSandbox({
    name: 'netsuite',
    renderError: renderNetSuiteError,
    async routes(app: FastifyInstance, kit: SandboxContext) {
      const { store, tokens } = build(kit);
      const url = (): string => kit.url;
      acceptVendorBodies(app, (detail) => new NetSuiteError(400, 'INVALID_CONTENT', `Error while accessing a resource. Invalid JSON: ${detail}`));
      app.setErrorHandler((error: FastifyError, _request, reply) => {
        if (error instanceof NetSuiteError) return reply.code(error.status).send(error.toBody());
        if (error instanceof NsOAuthError) return reply.code(error.status).send({ error: error.error, error_description: error.message });
        if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send(errorBody(415, 'INVALID_CONTENT_TYPE', error.message, { header: 'Content-Type' }));
        if (error.code?.startsWith('FST_ERR_CTP') || error.statusCode === 400) {
          return reply.code(400).send(errorBody(400, 'INVALID_CONTENT', `Error while accessing a resource. ${error.message}`));
        }
        return reply.code(500).send(errorBody(500, 'UNEXPECTED_ERROR', `An unexpected error occurred: ${error.message}`));
      });
      app.setNotFoundHandler((request, reply) =>
        reply.code(404).send(errorBody(404, 'NONEXISTENT_ID', `The requested resource ${request.url} does not exist.`)),
      );
      registerTokenRoute(app, { config, publicKey: key(), tokens, faults: kit.faults, url });
      await app.register(async (api) => {
        // Callback-style hooks here and in the concurrency limit: they run on every request, and skip the promise an async hook costs.
        api.addHook('onRequest', (request, _reply, done) => {
          try {
            tokens.check(request.headers.authorization);
          } catch (err) {
            done(err as Error);
            return;
          }
          done();
        });
        limitConcurrency(api, config.concurrencyLimit);
        registerAsyncJobs(api, kit.store.collection<AsyncJob>('asyncJobs'), url);
        registerRecordRoutes(api, { store, url });
        registerSuiteQlRoute(api, { store, url });
      });
    },
    seed(kit: SandboxContext) {
      seedNetSuite(build(kit).store);
    },
    reset(kit: SandboxContext) {
      build(kit).store.reload();
    },
    summary() {
      key();
      return { m2m: { clientId: config.clientId, certificateId: config.certificateId, accountId: config.accountId, ...(privateKeyPem ? { privateKeyPem, algorithm: 'ES256' } : {}) } };
    },
  });
}

/** The NetSuite sandbox with default settings, as the registry lists it. */
export const netSuiteSandbox: SandboxFactory = createNetSuiteSandbox();
