/**
 * The catalog: `/v1/products` and `/v1/prices` (create, retrieve, update, list). A price is
 * created for an existing `product` or inline with `product_data[name]`; `recurring[interval]`
 * makes it recurring. Emits product.* and price.* events.
 */
import type { FastifyInstance } from 'fastify';
import { answer, load, previousAttributes, type IdParams, type StripeApi } from '../api.ts';
import { requestInfo } from '../events.ts';
import { newId } from '../ids.ts';
import { paginate } from '../list.ts';
import type { Interval, Price, StripeObject } from '../objects.ts';
import { mergeMetadata, optArray, optBool, optInt, optObject, optString, paramsOf, reqString, type Params } from '../params.ts';
import { invalidParam, resourceMissing } from '../stripe-error.ts';

const INTERVALS: readonly string[] = ['day', 'week', 'month', 'year'];

/** Registers the product and price routes. */
export function registerCatalogRoutes(scope: FastifyInstance, api: StripeApi): void {
  const { state, events } = api;

  const createProduct = (params: Params, created: number): StripeObject => {
    const product: StripeObject = {
      id: optString(params, 'id') || newId('prod'),
      object: 'product',
      active: optBool(params, 'active') ?? true,
      created,
      default_price: null,
      description: optString(params, 'description') ?? null,
      images: [],
      livemode: false,
      metadata: mergeMetadata(params),
      name: reqString(params, 'name'),
      tax_code: optString(params, 'tax_code') ?? null,
      type: 'service',
      unit_label: optString(params, 'unit_label') ?? null,
      updated: created,
      url: null,
    };
    if (state.products.get(product.id) !== undefined) {
      throw invalidParam('id', `Product already exists.`, 'resource_already_exists');
    }
    return product;
  };

  scope.post('/v1/products', async (request, reply) => {
    const product = createProduct(paramsOf(request), now());
    state.products.put(product.id, product);
    events.emit('product.created', product, { request: requestInfo(request, reply) });
    return answer(api, request, product);
  });
  scope.get<{ Params: IdParams }>('/v1/products/:id', async (request) =>
    answer(api, request, load(state.products, request.params.id, 'product')),
  );
  scope.post<{ Params: IdParams }>('/v1/products/:id', async (request, reply) => {
    const product = load(state.products, request.params.id, 'product');
    const params = paramsOf(request);
    const before = structuredClone(product);
    for (const field of ['name', 'description', 'default_price', 'tax_code'] as const) {
      const value = optString(params, field);
      if (value !== undefined) product[field] = value === '' && field !== 'name' ? null : value;
    }
    product.active = optBool(params, 'active') ?? product.active;
    product.metadata = mergeMetadata(params, product.metadata as Record<string, string>);
    product.updated = now();
    state.products.put(product.id, product);
    events.emit('product.updated', product, { request: requestInfo(request, reply), previous: previousAttributes(before, product) });
    return answer(api, request, product);
  });
  scope.get('/v1/products', async (request) => {
    const params = paramsOf(request);
    const active = optBool(params, 'active');
    const all = state.products.list().filter((p) => active === undefined || p.active === active);
    return answer(api, request, paginate(all, params, '/v1/products', 'product'));
  });

  scope.post('/v1/prices', async (request, reply) => {
    const params = paramsOf(request);
    const productData = optObject(params, 'product_data');
    let productId = optString(params, 'product');
    if (productId === undefined && productData !== undefined) {
      const product = createProduct(productData, now());
      state.products.put(product.id, product);
      events.emit('product.created', product, { request: requestInfo(request, reply) });
      productId = product.id;
    }
    if (productId === undefined) throw invalidParam('product', 'You must specify either `product` or `product_data` when creating a price.', 'parameter_missing');
    if (state.products.get(productId) === undefined) throw resourceMissing('product', productId, 'product');
    const recurring = optObject(params, 'recurring');
    const interval = recurring === undefined ? undefined : reqString(recurring, 'interval');
    if (interval !== undefined && !INTERVALS.includes(interval)) {
      throw invalidParam('recurring[interval]', `Invalid recurring[interval]: must be one of day, week, month, or year`);
    }
    const unitAmount = optInt(params, 'unit_amount');
    const price: Price = {
      id: newId('price'),
      object: 'price',
      active: optBool(params, 'active') ?? true,
      billing_scheme: 'per_unit',
      created: now(),
      currency: reqString(params, 'currency').toLowerCase(),
      livemode: false,
      lookup_key: optString(params, 'lookup_key') ?? null,
      metadata: mergeMetadata(params),
      nickname: optString(params, 'nickname') ?? null,
      product: productId,
      recurring:
        recurring === undefined
          ? null
          : {
              interval: interval as Interval,
              interval_count: optInt(recurring, 'interval_count', 1) ?? 1,
              meter: null,
              trial_period_days: null,
              usage_type: optString(recurring, 'usage_type') ?? 'licensed',
            },
      tax_behavior: optString(params, 'tax_behavior') ?? 'unspecified',
      type: recurring === undefined ? 'one_time' : 'recurring',
      unit_amount: unitAmount ?? null,
      unit_amount_decimal: unitAmount === undefined ? null : String(unitAmount),
    };
    if (unitAmount === undefined) throw invalidParam('unit_amount', 'You must specify either `unit_amount` or `unit_amount_decimal`.', 'parameter_missing');
    state.prices.put(price.id, price);
    events.emit('price.created', price, { request: requestInfo(request, reply) });
    return answer(api, request, price);
  });
  scope.get<{ Params: IdParams }>('/v1/prices/:id', async (request) =>
    answer(api, request, load(state.prices, request.params.id, 'price')),
  );
  scope.post<{ Params: IdParams }>('/v1/prices/:id', async (request, reply) => {
    const price = load(state.prices, request.params.id, 'price');
    const params = paramsOf(request);
    const before = structuredClone(price);
    price.active = optBool(params, 'active') ?? price.active;
    const lookupKey = optString(params, 'lookup_key');
    if (lookupKey !== undefined) price.lookup_key = lookupKey === '' ? null : lookupKey;
    price.metadata = mergeMetadata(params, price.metadata as Record<string, string>);
    state.prices.put(price.id, price);
    events.emit('price.updated', price, { request: requestInfo(request, reply), previous: previousAttributes(before, price) });
    return answer(api, request, price);
  });
  scope.get('/v1/prices', async (request) => {
    const params = paramsOf(request);
    const product = optString(params, 'product');
    const active = optBool(params, 'active');
    const type = optString(params, 'type');
    const lookupKeys = optArray(params, 'lookup_keys')?.map(String);
    const all = state.prices
      .list()
      .filter(
        (p) =>
          (product === undefined || p.product === product) &&
          (active === undefined || p.active === active) &&
          (type === undefined || p.type === type) &&
          (lookupKeys === undefined || (p.lookup_key !== null && lookupKeys.includes(String(p.lookup_key)))),
      );
    return answer(api, request, paginate(all, params, '/v1/prices', 'price'));
  });
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
