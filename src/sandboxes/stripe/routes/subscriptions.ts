/**
 * `/v1/subscriptions`: create (bills the first period at once: invoice created, finalized, paid
 * or declined), retrieve, update (metadata, cancel_at_period_end, default_payment_method, items),
 * cancel (`DELETE`), list (by customer, status, price; canceled ones only when asked) and search
 * (`status`, `created`, `metadata['…']`).
 */
import type { FastifyInstance } from 'fastify';
import { answer, load, previousAttributes, type IdParams, type StripeApi } from '../api.ts';
import { periodEnd } from '../billing.ts';
import { requestInfo } from '../events.ts';
import { newId } from '../ids.ts';
import { paginate } from '../list.ts';
import { compileSearch, searchPage } from '../search.ts';
import type { Subscription, SubscriptionItem } from '../objects.ts';
import { mergeMetadata, optArray, optBool, optInt, optString, paramsOf, reqString, type Params } from '../params.ts';
import { invalidParam, missingParam, resourceMissing } from '../stripe-error.ts';

/** Registers the subscription routes. */
export function registerSubscriptionRoutes(scope: FastifyInstance, api: StripeApi): void {
  const { state, events, billing } = api;

  const buildItem = (raw: unknown, index: number, subscription: Subscription): SubscriptionItem => {
    const params = (typeof raw === 'object' && raw !== null ? raw : {}) as Params;
    const priceId = optString(params, 'price');
    if (priceId === undefined) throw missingParam(`items[${index}][price]`);
    const price = state.prices.get(priceId);
    if (price === undefined) throw resourceMissing('price', priceId, `items[${index}][price]`);
    if (price.type !== 'recurring') {
      throw invalidParam(
        `items[${index}][price]`,
        'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.',
      );
    }
    return {
      id: newId('si'),
      object: 'subscription_item',
      created: subscription.created,
      current_period_start: subscription.current_period_start,
      current_period_end: subscription.current_period_end,
      livemode: false,
      metadata: mergeMetadata(params),
      price: structuredClone(price),
      quantity: optInt(params, 'quantity', 0) ?? 1,
      subscription: subscription.id,
    };
  };

  scope.post('/v1/subscriptions', async (request, reply) => {
    const params = paramsOf(request);
    const customerId = reqString(params, 'customer');
    const customer = state.customers.get(customerId);
    if (customer === undefined) throw resourceMissing('customer', customerId, 'customer');
    const rawItems = optArray(params, 'items');
    if (rawItems === undefined || rawItems.length === 0) throw missingParam('items');
    const created = state.nowFor(customerId);
    const id = newId('sub');
    const subscription: Subscription = {
      id,
      object: 'subscription',
      billing_cycle_anchor: created,
      cancel_at: null,
      cancel_at_period_end: optBool(params, 'cancel_at_period_end') ?? false,
      canceled_at: null,
      collection_method: optString(params, 'collection_method') === 'send_invoice' ? 'send_invoice' : 'charge_automatically',
      created,
      currency: 'usd',
      current_period_start: created,
      current_period_end: created,
      customer: customerId,
      default_payment_method: optString(params, 'default_payment_method') ?? null,
      description: optString(params, 'description') ?? null,
      ended_at: null,
      items: { object: 'list', data: [], has_more: false, total_count: 0, url: `/v1/subscription_items?subscription=${id}` },
      latest_invoice: null,
      livemode: false,
      metadata: mergeMetadata(params),
      start_date: created,
      status: 'incomplete',
      test_clock: customer.test_clock,
    };
    subscription.items.data = rawItems.map((raw, i) => buildItem(raw, i, subscription));
    subscription.items.total_count = subscription.items.data.length;
    subscription.currency = subscription.items.data[0]?.price.currency ?? 'usd';
    setPeriod(subscription, created, periodEnd(subscription, created));
    state.subscriptions.put(id, subscription);
    const emit = { request: requestInfo(request, reply), created };
    events.emit('customer.subscription.created', subscription, emit);
    billing.invoicePeriod(subscription, 'subscription_create', emit);
    return answer(api, request, state.subscriptions.get(id));
  });

  scope.get<{ Params: IdParams }>('/v1/subscriptions/:id', async (request) =>
    answer(api, request, load(state.subscriptions, request.params.id, 'subscription')),
  );

  scope.post<{ Params: IdParams }>('/v1/subscriptions/:id', async (request, reply) => {
    const subscription = load(state.subscriptions, request.params.id, 'subscription');
    const params = paramsOf(request);
    const before = structuredClone(subscription);
    subscription.metadata = mergeMetadata(params, subscription.metadata);
    subscription.cancel_at_period_end = optBool(params, 'cancel_at_period_end') ?? subscription.cancel_at_period_end;
    const pm = optString(params, 'default_payment_method');
    if (pm !== undefined) subscription.default_payment_method = pm === '' ? null : pm;
    const rawItems = optArray(params, 'items') ?? [];
    rawItems.forEach((raw, i) => {
      const itemParams = (typeof raw === 'object' && raw !== null ? raw : {}) as Params;
      const itemId = optString(itemParams, 'id');
      if (itemId === undefined) {
        subscription.items.data.push(buildItem(raw, i, subscription));
        return;
      }
      const item = subscription.items.data.find((it) => it.id === itemId);
      if (item === undefined) throw resourceMissing('subscription_item', itemId, `items[${i}][id]`);
      if (optBool(itemParams, 'deleted') === true) {
        subscription.items.data = subscription.items.data.filter((it) => it.id !== itemId);
        return;
      }
      item.quantity = optInt(itemParams, 'quantity', 0) ?? item.quantity;
      const priceId = optString(itemParams, 'price');
      if (priceId !== undefined) item.price = structuredClone(load(state.prices, priceId, 'price'));
      item.metadata = mergeMetadata(itemParams, item.metadata);
    });
    subscription.items.total_count = subscription.items.data.length;
    state.subscriptions.put(subscription.id, subscription);
    events.emit('customer.subscription.updated', subscription, {
      request: requestInfo(request, reply),
      previous: previousAttributes(before, subscription),
      created: state.nowFor(subscription.customer),
    });
    return answer(api, request, subscription);
  });

  scope.delete<{ Params: IdParams }>('/v1/subscriptions/:id', async (request, reply) => {
    const subscription = load(state.subscriptions, request.params.id, 'subscription');
    if (subscription.status !== 'canceled') {
      const at = state.nowFor(subscription.customer);
      Object.assign(subscription, { status: 'canceled', canceled_at: at, ended_at: at });
      state.subscriptions.put(subscription.id, subscription);
      events.emit('customer.subscription.deleted', subscription, { request: requestInfo(request, reply), created: at });
    }
    return answer(api, request, subscription);
  });

  scope.get('/v1/subscriptions/search', async (request) => {
    const params = paramsOf(request);
    const matches = compileSearch(reqString(params, 'query'), ['status', 'created']);
    const limit = optInt(params, 'limit', 1) ?? 10;
    if (limit > 100) throw invalidParam('limit', 'This value must be less than or equal to 100.', 'parameter_invalid_integer');
    return answer(api, request, searchPage(state.subscriptions.list(), matches, { limit, page: optString(params, 'page'), url: '/v1/subscriptions/search' }));
  });

  scope.get('/v1/subscriptions', async (request) => {
    const params = paramsOf(request);
    const customer = optString(params, 'customer');
    const status = optString(params, 'status');
    const price = optString(params, 'price');
    const all = state.subscriptions
      .list()
      .filter(
        (s) =>
          (customer === undefined || s.customer === customer) &&
          (status === 'all' || (status === undefined ? s.status !== 'canceled' : s.status === status)) &&
          (price === undefined || s.items.data.some((it) => it.price.id === price)),
      );
    return answer(api, request, paginate(all, params, '/v1/subscriptions', 'subscription'));
  });
}

function setPeriod(subscription: Subscription, start: number, end: number): void {
  subscription.current_period_start = start;
  subscription.current_period_end = end;
  for (const item of subscription.items.data) {
    item.current_period_start = start;
    item.current_period_end = end;
  }
}
