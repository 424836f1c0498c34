/**
 * The Stripe sandbox: Stripe's form-encoded `/v1` API for customers, products, prices,
 * subscriptions, invoices, payment intents, events, webhook endpoints and test clocks, with
 * Stripe's auth, `Request-Id`, idempotency, list pagination, `expand[]`, error bodies and
 * signed webhooks. Built on the sandbox kit, so faults and admin endpoints come with it.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { ADMIN_PREFIX, defineSandbox, type SandboxContext, type SandboxFactory } from '../kit/index.ts';
import { registerAdvanceAdmin } from './admin-advance.ts';
import type { StripeApi } from './api.ts';
import { authenticate } from './auth.ts';
import { Billing } from './billing.ts';
import { DEFAULT_API_VERSION, StripeEvents } from './events.ts';
import { IdempotencyStore, registerIdempotency } from './idempotency.ts';
import { newRequestId } from './ids.ts';
import { registerFormParser } from './params.ts';
import { registerCatalogRoutes } from './routes/catalog.ts';
import { registerCustomerRoutes } from './routes/customers.ts';
import { registerInvoiceRoutes } from './routes/invoices.ts';
import { registerPaymentIntentRoutes } from './routes/payment-intents.ts';
import { registerSubscriptionRoutes } from './routes/subscriptions.ts';
import { registerTestClockRoutes } from './routes/test-clocks.ts';
import { registerWebhookRoutes } from './routes/webhooks.ts';
import { seedStripe } from './seed.ts';
import { StripeApiError, renderStripeFault } from './stripe-error.ts';
import { StripeState } from './stripe-state.ts';

// Per running instance: the factory is shared, the idempotency keys are not.
const keys = new WeakMap<SandboxContext, IdempotencyStore>();

/** The Stripe sandbox factory. */
export const stripeSandbox: SandboxFactory = defineSandbox({
  name: 'stripe',
  renderError: renderStripeFault,
  routes(scope, context) {
    const state = new StripeState(context.store);
    const events = new StripeEvents(state, context.events);
    const api: StripeApi = { state, events, billing: new Billing(state, events) };
    const idempotency = new IdempotencyStore(context.store.collection('idempotency_keys'));
    keys.set(context, idempotency);

    registerFormParser(scope);
    scope.addHook('onRequest', (request, reply, done) => {
      const version = request.headers['stripe-version'];
      reply.header('request-id', newRequestId());
      reply.header('stripe-version', typeof version === 'string' && version !== '' ? version : DEFAULT_API_VERSION);
      try {
        // The sandbox's own admin endpoints (`/__sandbox/advance`) take no Stripe key, as the kit's do not.
        if (!request.url.startsWith(ADMIN_PREFIX)) authenticate(request);
        done();
      } catch (err) {
        done(err as Error);
      }
    });
    installErrorHandlers(scope);
    registerIdempotency(scope, idempotency);
    registerCustomerRoutes(scope, api);
    registerCatalogRoutes(scope, api);
    registerSubscriptionRoutes(scope, api);
    registerInvoiceRoutes(scope, api);
    registerPaymentIntentRoutes(scope, api);
    registerWebhookRoutes(scope, api);
    registerTestClockRoutes(scope, api);
    registerAdvanceAdmin(scope, api);
  },
  seed: (context) => seedStripe(new StripeState(context.store)),
  summary: (context) => ({
    idempotencyKeys: keys.get(context)?.size ?? 0,
    idempotencyKeysInFlight: keys.get(context)?.inFlight() ?? 0,
  }),
  reset(context) {
    keys.get(context)?.clear();
  },
});

function installErrorHandlers(scope: FastifyInstance): void {
  scope.setErrorHandler((error: FastifyError | StripeApiError, _request, reply) => {
    const failure =
      error instanceof StripeApiError
        ? error
        : (error.statusCode ?? 500) < 500
          ? new StripeApiError(error.statusCode === 413 ? 413 : 400, 'invalid_request_error', error.message)
          : new StripeApiError(500, 'api_error', 'An unknown error occurred while processing your request.');
    return reply.code(failure.status).headers(failure.headers).send(failure.body());
  });
  scope.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    return reply
      .code(404)
      .send(
        new StripeApiError(
          404,
          'invalid_request_error',
          `Unrecognized request URL (${request.method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        ).body(),
      );
  });
}
