/**
 * The Stripe objects the sandbox stores, typed to the fields its own logic reads. Stored records
 * are exactly what the API returns (expandable fields hold ids), so a read is a copy, not a build.
 */

/** Fields every Stripe object has. */
export interface StripeObject {
  id: string;
  object: string;
  created: number;
  livemode: boolean;
  [field: string]: unknown;
}

/** A customer (`cus_`). */
export interface Customer extends StripeObject {
  object: 'customer';
  email: string | null;
  name: string | null;
  metadata: Record<string, string>;
  invoice_prefix: string;
  next_invoice_sequence: number;
  invoice_settings: { default_payment_method: string | null; [field: string]: unknown };
  test_clock: string | null;
}

/** A price (`price_`). */
export interface Price extends StripeObject {
  object: 'price';
  product: string;
  currency: string;
  unit_amount: number | null;
  type: 'one_time' | 'recurring';
  recurring: { interval: Interval; interval_count: number; usage_type: string; [field: string]: unknown } | null;
  active: boolean;
}

/** A billing interval. */
export type Interval = 'day' | 'week' | 'month' | 'year';

/** A subscription item (`si_`), stored inside its subscription. */
export interface SubscriptionItem extends StripeObject {
  object: 'subscription_item';
  price: Price;
  quantity: number;
  subscription: string;
  current_period_start: number;
  current_period_end: number;
  metadata: Record<string, string>;
}

/** A subscription (`sub_`). */
export interface Subscription extends StripeObject {
  object: 'subscription';
  customer: string;
  status: 'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid' | 'paused';
  items: { object: 'list'; data: SubscriptionItem[]; has_more: boolean; total_count: number; url: string };
  current_period_start: number;
  current_period_end: number;
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  ended_at: number | null;
  latest_invoice: string | null;
  default_payment_method: string | null;
  collection_method: 'charge_automatically' | 'send_invoice';
  metadata: Record<string, string>;
  test_clock: string | null;
}

/** An invoice (`in_`). */
export interface Invoice extends StripeObject {
  object: 'invoice';
  customer: string;
  subscription: string | null;
  status: 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  attempt_count: number;
  attempted: boolean;
  payment_intent: string | null;
  status_transitions: { finalized_at: number | null; paid_at: number | null; voided_at: number | null; marked_uncollectible_at: number | null };
}

/** A payment intent (`pi_`). */
export interface PaymentIntent extends StripeObject {
  object: 'payment_intent';
  amount: number;
  currency: string;
  customer: string | null;
  payment_method: string | null;
  status: 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'requires_capture' | 'canceled' | 'succeeded';
  last_payment_error: Record<string, unknown> | null;
  invoice: string | null;
}

/** A webhook endpoint (`we_`); `secret` is shown only on create. */
export interface WebhookEndpoint extends StripeObject {
  object: 'webhook_endpoint';
  url: string;
  enabled_events: string[];
  status: 'enabled' | 'disabled';
  secret: string;
}

/** A test clock (`clock_`). */
export interface TestClock extends StripeObject {
  object: 'test_helpers.test_clock';
  frozen_time: number;
  status: 'ready' | 'advancing' | 'internal_failure';
}
