/**
 * Subscription billing: the invoice of each period (created → finalized → paid or
 * payment_failed), the subscription's status that follows from it, and renewals when a test
 * clock moves past a period end. Payment outcomes are chosen as `payments.ts` describes.
 */
import type { EmitOptions, StripeEvents } from './events.ts';
import { newId } from './ids.ts';
import type { Interval, Invoice, Subscription } from './objects.ts';
import { buildPaymentIntent, confirmPaymentIntent } from './payments.ts';
import type { StripeState } from './stripe-state.ts';

/** Why an invoice was made, as Stripe's `billing_reason`. */
export type BillingReason = 'subscription_create' | 'subscription_cycle' | 'manual';

/** Unix seconds `t` moved forward by `count` intervals (months clamp to the month's end). */
export function addInterval(t: number, interval: Interval, count: number): number {
  const d = new Date(t * 1000);
  if (interval === 'day') d.setUTCDate(d.getUTCDate() + count);
  else if (interval === 'week') d.setUTCDate(d.getUTCDate() + 7 * count);
  else {
    const months = interval === 'year' ? 12 * count : count;
    const day = d.getUTCDate();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() + months);
    const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    d.setUTCDate(Math.min(day, last));
  }
  return Math.floor(d.getTime() / 1000);
}

/** The end of the period starting at `start` for a subscription's first recurring price. */
export function periodEnd(subscription: Subscription, start: number): number {
  const recurring = subscription.items.data[0]?.price.recurring;
  return addInterval(start, recurring?.interval ?? 'month', recurring?.interval_count ?? 1);
}

/** Invoicing and renewal of subscriptions. */
export class Billing {
  readonly #state: StripeState;
  readonly #events: StripeEvents;

  constructor(state: StripeState, events: StripeEvents) {
    this.#state = state;
    this.#events = events;
  }

  /** Creates, finalizes and charges the invoice of the subscription's current period. */
  invoicePeriod(subscription: Subscription, reason: BillingReason, emit: EmitOptions): Invoice {
    const invoice = this.#draft(subscription, reason, emit.created ?? subscription.current_period_start);
    this.#events.emit('invoice.created', invoice, emit);
    this.finalize(invoice, emit);
    this.pay(invoice, emit);
    return invoice;
  }

  /** draft → open, with its number; emits invoice.finalized. */
  finalize(invoice: Invoice, emit: EmitOptions): void {
    const customer = this.#state.customers.get(invoice.customer);
    if (customer !== undefined) {
      invoice.number = `${customer.invoice_prefix}-${String(customer.next_invoice_sequence).padStart(4, '0')}`;
      customer.next_invoice_sequence += 1;
      this.#state.customers.put(customer.id, customer);
    }
    invoice.status = 'open';
    invoice.status_transitions.finalized_at = emit.created ?? invoice.created;
    this.#state.invoices.put(invoice.id, invoice);
    this.#events.emit('invoice.finalized', invoice, emit);
  }

  /** Charges an open invoice; paid → invoice.paid, declined → invoice.payment_failed. */
  pay(invoice: Invoice, emit: EmitOptions): boolean {
    const subscription = invoice.subscription === null ? undefined : this.#state.subscriptions.get(invoice.subscription);
    let paid = invoice.amount_due === 0;
    if (!paid) {
      const intent =
        (invoice.payment_intent === null ? undefined : this.#state.paymentIntents.get(invoice.payment_intent)) ??
        buildPaymentIntent({
          amount: invoice.amount_due,
          currency: String(invoice.currency),
          customer: invoice.customer,
          paymentMethod: subscription?.default_payment_method ?? null,
          description: invoice.billing_reason === 'subscription_create' ? 'Subscription creation' : 'Subscription update',
          invoice: invoice.id,
          metadata: {},
          created: emit.created ?? invoice.created,
        });
      invoice.payment_intent = intent.id;
      paid = confirmPaymentIntent(this.#state, this.#events, intent, emit);
    }
    invoice.attempt_count += 1;
    invoice.attempted = true;
    if (paid) {
      Object.assign(invoice, { status: 'paid', paid: true, amount_paid: invoice.amount_due, amount_remaining: 0 });
      invoice.status_transitions.paid_at = emit.created ?? invoice.created;
    }
    this.#state.invoices.put(invoice.id, invoice);
    if (paid) {
      this.#events.emit('invoice.paid', invoice, emit);
      this.#events.emit('invoice.payment_succeeded', invoice, emit);
    } else {
      this.#events.emit('invoice.payment_failed', invoice, emit);
    }
    if (subscription !== undefined) this.#settle(subscription, invoice, paid, emit);
    return paid;
  }

  /**
   * Moves a subscription through every period end up to `until` (a test clock's new time):
   * renews (new period, renewal invoice) or, with `cancel_at_period_end`, cancels.
   */
  advance(subscription: Subscription, until: number): void {
    while (
      (subscription.status === 'active' || subscription.status === 'past_due' || subscription.status === 'trialing') &&
      subscription.current_period_end <= until
    ) {
      const at = subscription.current_period_end;
      const emit: EmitOptions = { request: null, created: at };
      if (subscription.cancel_at_period_end) {
        Object.assign(subscription, { status: 'canceled', canceled_at: at, ended_at: at });
        this.#state.subscriptions.put(subscription.id, subscription);
        this.#events.emit('customer.subscription.deleted', subscription, emit);
        return;
      }
      const previous = {
        current_period_start: subscription.current_period_start,
        current_period_end: subscription.current_period_end,
      };
      subscription.current_period_start = at;
      subscription.current_period_end = periodEnd(subscription, at);
      for (const item of subscription.items.data) {
        item.current_period_start = subscription.current_period_start;
        item.current_period_end = subscription.current_period_end;
      }
      this.#state.subscriptions.put(subscription.id, subscription);
      this.#events.emit('customer.subscription.updated', subscription, { ...emit, previous });
      this.invoicePeriod(subscription, 'subscription_cycle', emit);
    }
  }

  // Status follows the latest invoice: paid → active; declined → incomplete (first) or past_due.
  #settle(subscription: Subscription, invoice: Invoice, paid: boolean, emit: EmitOptions): void {
    const previous = { status: subscription.status, latest_invoice: subscription.latest_invoice };
    subscription.latest_invoice = invoice.id;
    if (paid) subscription.status = 'active';
    else subscription.status = invoice.billing_reason === 'subscription_create' ? 'incomplete' : 'past_due';
    this.#state.subscriptions.put(subscription.id, subscription);
    if (previous.status !== subscription.status) {
      this.#events.emit('customer.subscription.updated', subscription, { ...emit, previous: { status: previous.status } });
    }
  }

  #draft(subscription: Subscription, reason: BillingReason, created: number): Invoice {
    const customer = this.#state.customers.get(subscription.customer);
    const id = newId('in');
    const lines = subscription.items.data.map((item) => {
      const amount = (item.price.unit_amount ?? 0) * item.quantity;
      const product = this.#state.products.get(item.price.product);
      const interval = item.price.recurring?.interval ?? 'month';
      const unit = ((item.price.unit_amount ?? 0) / 100).toFixed(2);
      return {
        id: newId('il'),
        object: 'line_item',
        amount,
        currency: item.price.currency,
        description: `${item.quantity} × ${String(product?.name ?? item.price.product)} (at $${unit} / ${interval})`,
        invoice: id,
        livemode: false,
        metadata: {},
        parent: {
          type: 'subscription_item_details',
          subscription_item_details: { subscription: subscription.id, subscription_item: item.id, proration: false },
        },
        period: { start: subscription.current_period_start, end: subscription.current_period_end },
        price: item.price,
        quantity: item.quantity,
        subscription: subscription.id,
        subscription_item: item.id,
        type: 'subscription',
      };
    });
    const total = lines.reduce((sum, line) => sum + line.amount, 0);
    const invoice: Invoice = {
      id,
      object: 'invoice',
      account_country: 'US',
      amount_due: total,
      amount_paid: 0,
      amount_remaining: total,
      attempt_count: 0,
      attempted: false,
      auto_advance: true,
      billing_reason: reason,
      collection_method: subscription.collection_method,
      created,
      currency: lines[0]?.currency ?? 'usd',
      customer: subscription.customer,
      customer_email: customer?.email ?? null,
      customer_name: customer?.name ?? null,
      due_date: null,
      hosted_invoice_url: `https://invoice.stripe.com/i/sandbox/${id}`,
      lines: { object: 'list', data: lines, has_more: false, total_count: lines.length, url: `/v1/invoices/${id}/lines` },
      livemode: false,
      metadata: {},
      number: null,
      paid: false,
      parent: {
        type: 'subscription_details',
        subscription_details: { subscription: subscription.id, metadata: subscription.metadata },
      },
      payment_intent: null,
      period_start: subscription.current_period_start,
      period_end: subscription.current_period_end,
      status: 'draft',
      status_transitions: { finalized_at: null, paid_at: null, voided_at: null, marked_uncollectible_at: null },
      subscription: subscription.id,
      subtotal: total,
      test_clock: subscription.test_clock,
      total,
    };
    this.#state.invoices.put(id, invoice);
    return invoice;
  }
}
