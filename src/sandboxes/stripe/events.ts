/**
 * Stripe events: each change is stored as an `evt_` (readable through `/v1/events`) and sent,
 * signed, to every enabled webhook endpoint that subscribes to its type, through the kit's
 * delivery (retries, duplicate and out-of-order faults).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventDelivery } from '../kit/index.ts';
import { newId } from './ids.ts';
import type { StripeObject } from './objects.ts';
import { DEFAULT_API_VERSION, eventJson, unixNow, type StoredEvent, type StripeState } from './stripe-state.ts';
import { stripeSignatureHeader } from './webhook-signature.ts';

export { DEFAULT_API_VERSION };

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

  /**
   * Records an event of `type` about `object` and sends it to subscribed endpoints. Returns the
   * object's JSON as the event holds it, so a route answering with the same object need not
   * serialise it again.
   */
  emit(type: string, object: StripeObject, options: EmitOptions = {}): string {
    const endpoints =
      this.#state.webhookEndpoints.size === 0
        ? []
        : this.#state.webhookEndpoints
            .list()
            .filter((e) => e.status === 'enabled' && (e.enabled_events.includes('*') || e.enabled_events.includes(type)));
    const id = newId('evt');
    const created = options.created ?? unixNow();
    // Serialising now is the snapshot: later changes to the object do not rewrite history.
    const objectJson = JSON.stringify(object);
    const request = options.request ?? null;
    const stored: StoredEvent = {
      id,
      type,
      created,
      object: objectJson,
      previous: options.previous === undefined ? null : JSON.stringify(options.previous),
      requestId: request?.id ?? null,
      idempotencyKey: request?.idempotency_key ?? null,
      pendingWebhooks: endpoints.length,
    };
    this.#state.events.put(id, stored);
    if (endpoints.length === 0) return objectJson;
    // Stripe sends its payloads pretty-printed; the signature covers these exact bytes.
    const payload = JSON.stringify(JSON.parse(eventJson(stored)), null, 2);
    for (const endpoint of endpoints) {
      this.#delivery.send({
        id,
        url: endpoint.url,
        body: payload,
        headers: () => ({
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': stripeSignatureHeader(payload, endpoint.secret, unixNow()),
        }),
      });
    }
    return objectJson;
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
