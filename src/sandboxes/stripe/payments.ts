/**
 * Charging in the sandbox: payment intents and whether a charge succeeds. There is no card
 * network, so the outcome is chosen the way Stripe's test mode chooses it, by payment method:
 *
 * - a payment method id in {@link DECLINING_PAYMENT_METHODS} (Stripe's own test tokens, e.g.
 *   `pm_card_chargeDeclined`) is declined with `card_declined`;
 * - a customer whose metadata has `sandbox_payment_outcome=fail` is always declined (handy for
 *   a customer created by a connector that sets no payment method);
 * - a customer whose metadata has `sandbox_payment_outcome=fail_next` is declined once: the
 *   value is removed by that decline, so Stripe's retry (or the next invoice) goes through;
 * - anything else succeeds.
 */
import type { EmitOptions, StripeEvents } from './events.ts';
import { newId, randomToken } from './ids.ts';
import type { PaymentIntent } from './objects.ts';
import type { StripeState } from './stripe-state.ts';

/** Stripe test payment methods that are declined. */
export const DECLINING_PAYMENT_METHODS: ReadonlySet<string> = new Set([
  'pm_card_chargeDeclined',
  'pm_card_visa_chargeDeclined',
  'pm_card_chargeDeclinedInsufficientFunds',
  'pm_card_chargeCustomerFail',
]);

/** `metadata[sandbox_payment_outcome]` value that declines a customer's next charge only. */
export const FAIL_NEXT = 'fail_next';

/** Whether charging `customerId` with `paymentMethod` is declined. */
export function isDeclined(state: StripeState, customerId: string | null, paymentMethod: string | null): boolean {
  if (paymentMethod !== null && DECLINING_PAYMENT_METHODS.has(paymentMethod)) return true;
  const customer = customerId === null ? undefined : state.customers.get(customerId);
  const outcome = customer?.metadata.sandbox_payment_outcome;
  return outcome === 'fail' || outcome === FAIL_NEXT;
}

/** The customer's default payment method, or the card that always works in test mode. */
export function defaultPaymentMethod(state: StripeState, customerId: string | null): string {
  const customer = customerId === null ? undefined : state.customers.get(customerId);
  return customer?.invoice_settings.default_payment_method ?? 'pm_card_visa';
}

/** Fields of a new payment intent. */
export interface NewPaymentIntent {
  amount: number;
  currency: string;
  customer: string | null;
  paymentMethod: string | null;
  description: string | null;
  invoice: string | null;
  metadata: Record<string, string>;
  created: number;
}

/** Builds (does not store) a payment intent awaiting a payment method or confirmation. */
export function buildPaymentIntent(fields: NewPaymentIntent): PaymentIntent {
  const id = newId('pi');
  return {
    id,
    object: 'payment_intent',
    amount: fields.amount,
    amount_capturable: 0,
    amount_received: 0,
    capture_method: 'automatic',
    client_secret: `${id}_secret_${randomToken(25)}`,
    confirmation_method: 'automatic',
    created: fields.created,
    currency: fields.currency,
    customer: fields.customer,
    description: fields.description,
    invoice: fields.invoice,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: fields.metadata,
    payment_method: fields.paymentMethod,
    payment_method_types: ['card'],
    status: fields.paymentMethod === null ? 'requires_payment_method' : 'requires_confirmation',
  };
}

/** The error object of a declined card, as in `last_payment_error` and 402 bodies. */
export function declineError(paymentMethod: string | null): Record<string, unknown> {
  return {
    type: 'card_error',
    code: 'card_declined',
    decline_code: 'generic_decline',
    message: 'Your card was declined.',
    doc_url: 'https://stripe.com/docs/error-codes/card-declined',
    payment_method: paymentMethod === null ? null : { id: paymentMethod, object: 'payment_method' },
  };
}

/**
 * Confirms `intent` (stores it and emits its events); returns whether the charge succeeded.
 * On a decline the intent goes back to `requires_payment_method` with `last_payment_error`.
 */
export function confirmPaymentIntent(
  state: StripeState,
  events: StripeEvents,
  intent: PaymentIntent,
  emit: EmitOptions,
): boolean {
  intent.payment_method ??= defaultPaymentMethod(state, intent.customer);
  const declined = isDeclined(state, intent.customer, intent.payment_method);
  if (declined) forgetFailNext(state, intent.customer);
  if (declined) {
    intent.status = 'requires_payment_method';
    intent.last_payment_error = declineError(intent.payment_method);
  } else {
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.last_payment_error = null;
    intent.latest_charge = newId('ch');
  }
  state.paymentIntents.put(intent.id, intent);
  events.emit(declined ? 'payment_intent.payment_failed' : 'payment_intent.succeeded', intent, emit);
  return !declined;
}

// A one-time decline is used up by the charge it declined.
function forgetFailNext(state: StripeState, customerId: string | null): void {
  const customer = customerId === null ? undefined : state.customers.get(customerId);
  if (customer?.metadata.sandbox_payment_outcome !== FAIL_NEXT) return;
  delete customer.metadata.sandbox_payment_outcome;
  state.customers.put(customer.id, customer);
}
