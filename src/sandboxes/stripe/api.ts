/**
 * What every Stripe route file receives, and the two helpers they all use: answering with
 * `expand[]` applied, and loading an object or failing with Stripe's 404.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Billing } from './billing.ts';
import { expand } from './expand.ts';
import type { StripeEvents } from './events.ts';
import { expandOf, paramsOf } from './params.ts';
import type { Collection } from '../kit/index.ts';
import { resourceMissing } from './stripe-error.ts';
import type { StripeState } from './stripe-state.ts';

/** The Stripe account behind the routes. */
export interface StripeApi {
  readonly state: StripeState;
  readonly events: StripeEvents;
  readonly billing: Billing;
}

/** `value` with the request's `expand[]` paths expanded (a copy; the store is untouched). */
export function answer<T>(api: StripeApi, request: FastifyRequest, value: T): T {
  const paths = expandOf(paramsOf(request));
  return paths.length === 0 ? value : expand(value, paths, (id) => api.state.byId(id));
}

/**
 * Answers with `value`, whose JSON is already at hand (from {@link StripeEvents.emit}): sent as
 * it is, unless the request's `expand[]` changes the answer.
 */
export function answerJson(api: StripeApi, request: FastifyRequest, reply: FastifyReply, value: unknown, json: string): FastifyReply {
  const paths = expandOf(paramsOf(request));
  if (paths.length > 0) return reply.send(expand(value, paths, (id) => api.state.byId(id)));
  return reply.type('application/json; charset=utf-8').send(json);
}

/** The record with `id`, or Stripe's 404 "No such <noun>: '<id>'". */
export function load<T>(collection: Collection<T>, id: string, noun: string): T {
  const found = collection.get(id);
  if (found === undefined) throw resourceMissing(noun, id);
  return found;
}

/** Route params of `/v1/<things>/:id`. */
export interface IdParams {
  id: string;
}

/** `previous_attributes` of an `*.updated` event: the old values of the top-level fields that changed. */
export function previousAttributes(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out[key] = before[key] ?? null;
  }
  return out;
}
