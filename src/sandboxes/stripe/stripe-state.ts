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
 * An event as stored: its JSON text (a snapshot of the object when it happened, and cheap to
 * keep by the hundred thousand) with the fields lists filter on.
 */
export interface StoredEvent {
  id: string;
  type: string;
  created: number;
  json: string;
}

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
    return stored === undefined ? undefined : (JSON.parse(stored.json) as StripeObject);
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
