/**
 * `/v1/webhook_endpoints` (create returns the `whsec_` secret once; retrieve, update, list,
 * delete) and `/v1/events` (retrieve, list by `type` or `types[]`, newest first).
 */
import type { FastifyInstance } from 'fastify';
import { answer, load, type IdParams, type StripeApi } from '../api.ts';
import { newId, randomToken } from '../ids.ts';
import { paginate } from '../list.ts';
import type { WebhookEndpoint } from '../objects.ts';
import { mergeMetadata, optArray, optBool, optString, paramsOf, reqString } from '../params.ts';
import { invalidParam, missingParam } from '../stripe-error.ts';
import { eventJson } from '../stripe-state.ts';

/** Registers the webhook endpoint and event routes. */
export function registerWebhookRoutes(scope: FastifyInstance, api: StripeApi): void {
  const { state } = api;

  scope.post('/v1/webhook_endpoints', async (request) => {
    const params = paramsOf(request);
    const url = reqString(params, 'url');
    if (!URL.canParse(url)) throw invalidParam('url', `Invalid URL: ${url}`, 'url_invalid');
    const enabled = optArray(params, 'enabled_events')?.map(String);
    if (enabled === undefined || enabled.length === 0) throw missingParam('enabled_events');
    const endpoint: WebhookEndpoint = {
      id: newId('we'),
      object: 'webhook_endpoint',
      api_version: optString(params, 'api_version') ?? null,
      application: null,
      created: Math.floor(Date.now() / 1000),
      description: optString(params, 'description') ?? null,
      enabled_events: enabled,
      livemode: false,
      metadata: mergeMetadata(params),
      secret: `whsec_${randomToken(32)}`,
      status: 'enabled',
      url,
    };
    state.webhookEndpoints.put(endpoint.id, endpoint);
    return endpoint;
  });

  scope.get<{ Params: IdParams }>('/v1/webhook_endpoints/:id', async (request) =>
    withoutSecret(load(state.webhookEndpoints, request.params.id, 'webhook_endpoint')),
  );

  scope.post<{ Params: IdParams }>('/v1/webhook_endpoints/:id', async (request) => {
    const endpoint = load(state.webhookEndpoints, request.params.id, 'webhook_endpoint');
    const params = paramsOf(request);
    const url = optString(params, 'url');
    if (url !== undefined) {
      if (!URL.canParse(url)) throw invalidParam('url', `Invalid URL: ${url}`, 'url_invalid');
      endpoint.url = url;
    }
    endpoint.enabled_events = optArray(params, 'enabled_events')?.map(String) ?? endpoint.enabled_events;
    const disabled = optBool(params, 'disabled');
    if (disabled !== undefined) endpoint.status = disabled ? 'disabled' : 'enabled';
    endpoint.metadata = mergeMetadata(params, endpoint.metadata as Record<string, string>);
    state.webhookEndpoints.put(endpoint.id, endpoint);
    return withoutSecret(endpoint);
  });

  scope.delete<{ Params: IdParams }>('/v1/webhook_endpoints/:id', async (request) => {
    const endpoint = load(state.webhookEndpoints, request.params.id, 'webhook_endpoint');
    state.webhookEndpoints.delete(endpoint.id);
    return { id: endpoint.id, object: 'webhook_endpoint', deleted: true };
  });

  scope.get('/v1/webhook_endpoints', async (request) => {
    const page = paginate(state.webhookEndpoints.list(), paramsOf(request), '/v1/webhook_endpoints', 'webhook_endpoint');
    return { ...page, data: page.data.map(withoutSecret) };
  });

  scope.get<{ Params: IdParams }>('/v1/events/:id', async (request) => {
    const stored = load(state.events, request.params.id, 'event');
    return answer(api, request, JSON.parse(eventJson(stored)) as unknown);
  });

  scope.get('/v1/events', async (request) => {
    const params = paramsOf(request);
    const type = optString(params, 'type');
    const types = optArray(params, 'types')?.map(String);
    const matches = (t: unknown): boolean =>
      (type === undefined || (type.endsWith('.*') ? String(t).startsWith(type.slice(0, -1)) : t === type)) &&
      (types === undefined || types.includes(String(t)));
    const all = state.events.list().filter((e) => matches(e.type));
    const page = paginate(all, params, '/v1/events', 'event');
    return answer(api, request, { ...page, data: page.data.map((e) => JSON.parse(eventJson(e)) as unknown) });
  });
}

// Stripe shows an endpoint's signing secret only in the response that created it.
function withoutSecret(endpoint: WebhookEndpoint): Omit<WebhookEndpoint, 'secret'> {
  const { secret: _secret, ...rest } = endpoint;
  return rest;
}
