/**
 * The Stripe objects the connector reads, with the fields flows use (Stripe sends more; the
 * rest stays on the object untyped). Written from Stripe's API reference, API version 2025-03-31.
 */

/** Stripe metadata: string keys and values. */
export type StripeMetadata = Record<string, string>;

/** A customer (`cus_`). */
export interface StripeCustomer {
  id: string;
  object: 'customer';
  name: string | null;
  email: string | null;
  metadata: StripeMetadata;
  created: number;
}

/** A product (`prod_`). */
export interface StripeProduct {
  id: string;
  object: 'product';
  name: string;
  active: boolean;
  metadata: StripeMetadata;
}

/** A price (`price_`); `product` is an id unless expanded. */
export interface StripePrice {
  id: string;
  object: 'price';
  product: string | StripeProduct;
  currency: string;
  unit_amount: number | null;
  type: 'one_time' | 'recurring';
  recurring: { interval: 'day' | 'week' | 'month' | 'year'; interval_count: number } | null;
  lookup_key: string | null;
  active: boolean;
  metadata: StripeMetadata;
}

/** Subscription statuses. */
export type StripeSubscriptionStatus = 'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid' | 'paused';

/** One item of a subscription (`si_`). */
export interface StripeSubscriptionItem {
  id: string;
  price: StripePrice;
  quantity: number;
  /** On items since API 2025-03-31. */
  current_period_start?: number;
  current_period_end?: number;
}

/** A subscription (`sub_`). */
export interface StripeSubscription {
  id: string;
  object: 'subscription';
  customer: string;
  status: StripeSubscriptionStatus;
  items: StripeList<StripeSubscriptionItem>;
  latest_invoice: string | StripeInvoice | null;
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  created: number;
  /** On the subscription before API 2025-03-31, on its items after. */
  current_period_start?: number;
  current_period_end?: number;
  metadata: StripeMetadata;
}

/** Invoice statuses. */
export type StripeInvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';

/** An invoice (`in_`). */
export interface StripeInvoice {
  id: string;
  object: 'invoice';
  customer: string;
  /** Top level before API 2025-03-31; see `parent.subscription_details` after. */
  subscription?: string | null;
  parent?: { subscription_details?: { subscription?: string } | null } | null;
  status: StripeInvoiceStatus;
  number: string | null;
  currency: string;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  total: number;
  billing_reason: string | null;
  attempt_count: number;
  created: number;
}

/** A page of a list endpoint. */
export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/** A page of a search endpoint. */
export interface StripeSearchResult<T> {
  object: 'search_result';
  data: T[];
  has_more: boolean;
  next_page: string | null;
}

/** The subscription an invoice belongs to, wherever the API version puts it. */
export function invoiceSubscriptionId(invoice: StripeInvoice): string | undefined {
  return invoice.parent?.subscription_details?.subscription ?? invoice.subscription ?? undefined;
}
