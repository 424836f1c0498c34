/**
 * `/v1/customers`: create, retrieve, update, delete (answers `{id, object, deleted: true}`),
 * list (filter by `email`, `test_clock`) and search (`search.ts`, e.g.
 * `metadata['crm_id']:'001…'`). Emits customer.created / updated / deleted.
 */
import type { FastifyInstance } from 'fastify';
import { answer, answerJson, load, previousAttributes, type IdParams, type StripeApi } from '../api.ts';
import { requestInfo } from '../events.ts';
import { newId, randomToken } from '../ids.ts';
import { paginate } from '../list.ts';
import type { Customer } from '../objects.ts';
import { mergeMetadata, optInt, optObject, optString, paramsOf, reqString, type Params } from '../params.ts';
import { compileSearch, searchPage } from '../search.ts';
import { invalidParam, resourceMissing } from '../stripe-error.ts';

const EDITABLE = ['email', 'name', 'description', 'phone'] as const;
const SEARCHABLE = ['email', 'name', 'phone', 'created'] as const;

/** Registers the customer routes. */
export function registerCustomerRoutes(scope: FastifyInstance, api: StripeApi): void {
  const { state, events } = api;

  // Synchronous, answering through `reply` and returning nothing: creates are the sandbox's
  // busiest call, and an async handler costs a promise and a microtask on each.
  scope.post('/v1/customers', (request, reply) => {
    const params = paramsOf(request);
    const clock = optString(params, 'test_clock') ?? null;
    if (clock !== null && state.testClocks.get(clock) === undefined) throw resourceMissing('test_clock', clock, 'test_clock');
    const customer: Customer = {
      id: newId('cus'),
      object: 'customer',
      address: optObject(params, 'address') ?? null,
      balance: 0,
      created: clock === null ? Math.floor(Date.now() / 1000) : (state.testClocks.get(clock)?.frozen_time ?? 0),
      currency: null,
      delinquent: false,
      description: null,
      email: null,
      name: null,
      phone: null,
      invoice_prefix: randomToken(8).toUpperCase(),
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null },
      livemode: false,
      metadata: mergeMetadata(params),
      next_invoice_sequence: 1,
      preferred_locales: [],
      tax_exempt: 'none',
      test_clock: clock,
    };
    applyEdits(customer, params);
    state.customers.put(customer.id, customer);
    const json = events.emit('customer.created', customer, { request: requestInfo(request, reply), created: customer.created });
    answerJson(api, request, reply, customer, json);
  });

  scope.get('/v1/customers/search', async (request) => {
    const params = paramsOf(request);
    const matches = compileSearch(reqString(params, 'query'), SEARCHABLE);
    const limit = optInt(params, 'limit', 1) ?? 10;
    if (limit > 100) throw invalidParam('limit', 'This value must be less than or equal to 100.', 'parameter_invalid_integer');
    const page = searchPage(state.customers.list(), matches, { limit, page: optString(params, 'page'), url: '/v1/customers/search' });
    return answer(api, request, page);
  });

  scope.get<{ Params: IdParams }>('/v1/customers/:id', async (request) => {
    const customer = state.customers.get(request.params.id);
    if (customer === undefined) throw resourceMissing('customer', request.params.id);
    return answer(api, request, customer);
  });

  scope.post<{ Params: IdParams }>('/v1/customers/:id', async (request, reply) => {
    const customer = load(state.customers, request.params.id, 'customer');
    const params = paramsOf(request);
    const before = structuredClone(customer);
    applyEdits(customer, params);
    customer.metadata = mergeMetadata(params, customer.metadata);
    state.customers.put(customer.id, customer);
    events.emit('customer.updated', customer, { request: requestInfo(request, reply), previous: previousAttributes(before, customer) });
    return answer(api, request, customer);
  });

  scope.delete<{ Params: IdParams }>('/v1/customers/:id', async (request, reply) => {
    const customer = load(state.customers, request.params.id, 'customer');
    state.customers.delete(customer.id);
    events.emit('customer.deleted', customer, { request: requestInfo(request, reply) });
    return { id: customer.id, object: 'customer', deleted: true };
  });

  scope.get('/v1/customers', async (request) => {
    const params = paramsOf(request);
    const email = optString(params, 'email');
    const clock = optString(params, 'test_clock');
    const all = state.customers
      .list()
      .filter((c) => (email === undefined || c.email === email) && (clock === undefined || c.test_clock === clock));
    return answer(api, request, paginate(all, params, '/v1/customers', 'customer'));
  });
}

function applyEdits(customer: Customer, params: Params): void {
  for (const field of EDITABLE) {
    const value = optString(params, field);
    if (value !== undefined) customer[field] = value === '' ? null : value;
  }
  const address = optObject(params, 'address');
  if (address !== undefined) customer.address = address;
  const settings = optObject(params, 'invoice_settings');
  const pm = settings === undefined ? undefined : optString(settings, 'default_payment_method');
  if (pm !== undefined) customer.invoice_settings.default_payment_method = pm === '' ? null : pm;
}
