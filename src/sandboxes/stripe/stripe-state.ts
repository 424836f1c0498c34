/**
 * The Stripe account's collections in the sandbox store, lookup by id prefix (for `expand[]`), and
 * the account's notion of "now": real time, or a test clock's frozen time for customers on one.
 */
import type { Collection, StateStore } from '../kit/index.ts';
import type {
  Customer,
  Invoice,
  PaymentIntent,
  Price,
  StripeObject,
  Subscription,
  TestClock,
  WebhookEndpoint,
} from './objects.ts';

/**
 * An event as stored: its parts, with the object's JSON text (a snapshot of the object when it
 * happened), which {@link eventJson} assembles into the event's JSON on read. Parts rather than the
 * assembled text: Stripe keeps every event, and a text built by concatenation is kept as a tree
 * of a few dozen string pieces per event, which the collector copies on every young-generation
 * pass; the parts are one small record around the object's text (shared with the answer and the
 * idempotent replay). `type` and `created` are what lists filter on.
 */
export interface StoredEvent {
  id: string;
  type: string;
  created: number;
  /** The object's JSON. */
  object: string;
  /** JSON of `data.previous_attributes`, or null when the event has none. */
  previous: string | null;
  /** `request.id` and `request.idempotency_key`. */
  requestId: string | null;
  idempotencyKey: string | null;
  pendingWebhooks: number;
}

/**
 * The event's JSON, exactly as `JSON.stringify` writes `{id, object, api_version, created, data:
 * {object, previous_attributes?}, livemode, pending_webhooks, request, type}`. Ids are base62 and
 * event types the sandbox's own constants, so neither needs escaping.
 */
export function eventJson(stored: StoredEvent): string {
  const legacy = (stored as Partial<{ json: string }>).json;
  // A state file written before events were stored in parts holds the whole text.
  if (typeof legacy === 'string') return legacy;
  const previous = stored.previous === null ? '' : `,"previous_attributes":${stored.previous}`;
  const requestId = stored.requestId === null ? 'null' : JSON.stringify(stored.requestId);
  const key = stored.idempotencyKey === null ? 'null' : JSON.stringify(stored.idempotencyKey);
  return (
    `{"id":"${stored.id}","object":"event","api_version":${API_VERSION_JSON},"created":${JSON.stringify(stored.created)},` +
    `"data":{"object":${stored.object}${previous}},"livemode":false,"pending_webhooks":${stored.pendingWebhooks},` +
    `"request":{"id":${requestId},"idempotency_key":${key}},"type":"${stored.type}"}`
  );
}

/** The API version stamped on events when the request named none. */
export const DEFAULT_API_VERSION = '2025-03-31.basil';

const API_VERSION_JSON = JSON.stringify(DEFAULT_API_VERSION);

/** Typed access to the stored Stripe objects. */
export class StripeState {
  readonly customers: Collection<Customer>;
  readonly products: Collection<StripeObject>;
  readonly prices: Collection<Price>;
  readonly subscriptions: Collection<Subscription>;
  readonly invoices: Collection<Invoice>;
  readonly paymentIntents: Collection<PaymentIntent>;
  readonly events: Collection<StoredEvent>;
  readonly webhookEndpoints: Collection<WebhookEndpoint>;
  readonly testClocks: Collection<TestClock>;
  readonly #byPrefix: ReadonlyMap<string, Collection<StripeObject>>;

  constructor(store: StateStore) {
    this.customers = store.collection('customers');
    this.products = store.collection('products');
    this.prices = store.collection('prices');
    this.subscriptions = store.collection('subscriptions');
    this.invoices = store.collection('invoices');
    this.paymentIntents = store.collection('payment_intents');
    this.events = store.collection('events');
    this.webhookEndpoints = store.collection('webhook_endpoints');
    this.testClocks = store.collection('test_clocks');
    this.#byPrefix = new Map<string, Collection<StripeObject>>([
      ['cus', this.customers],
      ['prod', this.products],
      ['price', this.prices],
      ['sub', this.subscriptions],
      ['in', this.invoices],
      ['pi', this.paymentIntents],
      ['we', this.webhookEndpoints],
      ['clock', this.testClocks],
    ] as [string, Collection<StripeObject>][]);
  }

  /** Any stored object by its id, whatever its type. */
  byId(id: string): StripeObject | undefined {
    const prefix = id.slice(0, id.indexOf('_'));
    if (prefix === 'evt') return this.event(id);
    return this.#byPrefix.get(prefix)?.get(id);
  }

  /** The event with this id, as the API returns it. */
  event(id: string): StripeObject | undefined {
    const stored = this.events.get(id);
    return stored === undefined ? undefined : (JSON.parse(eventJson(stored)) as StripeObject);
  }

  /** "Now" in Unix seconds for a customer: its test clock's frozen time, or the real time. */
  nowFor(customerId: string | null): number {
    const clockId = customerId === null ? null : (this.customers.get(customerId)?.test_clock ?? null);
    const clock = clockId === null ? undefined : this.testClocks.get(clockId);
    return clock?.frozen_time ?? Math.floor(Date.now() / 1000);
  }
}

/** The real time in Unix seconds. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}
