/**
 * Stripe events: each change is stored as an `evt_` (readable through `/v1/events`) and sent,
 * signed, to every enabled webhook endpoint that subscribes to its type, through the kit's
 * delivery (retries, duplicate and out-of-order faults).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventDelivery } from '../kit/index.ts';
import { newId } from './ids.ts';
import type { StripeObject } from './objects.ts';
import { unixNow, type StripeState } from './stripe-state.ts';
import { stripeSignatureHeader } from './webhook-signature.ts';

/** The API version stamped on events when the request named none. */
export const DEFAULT_API_VERSION = '2025-03-31.basil';

/** The request that caused an event; null for automatic changes (renewals, clocks). */
export type EventRequest = { id: string | null; idempotency_key: string | null } | null;

/** Options of one emitted event. */
export interface EmitOptions {
  /** The fields' values before an `*.updated` change. */
  previous?: Record<string, unknown>;
  /** The request behind it. */
  request?: EventRequest;
  /** Event time (a test clock's time for clock-driven events). */
  created?: number;
}

/** Stores events and sends them to webhook endpoints. */
export class StripeEvents {
  readonly #state: StripeState;
  readonly #delivery: EventDelivery;

  constructor(state: StripeState, delivery: EventDelivery) {
    this.#state = state;
    this.#delivery = delivery;
  }

  /** Records an event of `type` about `object` and sends it to subscribed endpoints. */
  emit(type: string, object: StripeObject, options: EmitOptions = {}): void {
    const endpoints = this.#state.webhookEndpoints
      .list()
      .filter((e) => e.status === 'enabled' && (e.enabled_events.includes('*') || e.enabled_events.includes(type)));
    const data: Record<string, unknown> = { object };
    if (options.previous !== undefined) data.previous_attributes = options.previous;
    const event: StripeObject = {
      id: newId('evt'),
      object: 'event',
      api_version: DEFAULT_API_VERSION,
      created: options.created ?? unixNow(),
      data,
      livemode: false,
      pending_webhooks: endpoints.length,
      request: options.request ?? { id: null, idempotency_key: null },
      type,
    };
    // Serialising now is the snapshot: later changes to the object do not rewrite history.
    const json = JSON.stringify(event);
    this.#state.events.put(event.id, { id: event.id, type, created: event.created, json });
    if (endpoints.length === 0) return;
    // Stripe sends its payloads pretty-printed; the signature covers these exact bytes.
    const payload = JSON.stringify(JSON.parse(json), null, 2);
    for (const endpoint of endpoints) {
      this.#delivery.send({
        id: event.id,
        url: endpoint.url,
        body: payload,
        headers: () => ({
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': stripeSignatureHeader(payload, endpoint.secret, unixNow()),
        }),
      });
    }
  }
}

/** The `request` field of an event caused by this API request. */
export function requestInfo(request: FastifyRequest, reply: FastifyReply): EventRequest {
  const key = request.headers['idempotency-key'];
  return {
    id: String(reply.getHeader('request-id') ?? '') || null,
    idempotency_key: typeof key === 'string' && key !== '' ? key : null,
  };
}
