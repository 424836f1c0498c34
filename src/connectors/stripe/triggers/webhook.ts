/**
 * The Stripe webhook trigger: verifies `Stripe-Signature` over the raw body with the endpoint
 * secret(s) and Stripe's 300-second tolerance, then parses the event into a typed union for the
 * types the flows use. Other types parse as `ignored` so the receiver can acknowledge them.
 */
import { systemClock, type Clock } from '../../../core/clock.ts';
import { InterlockError } from '../../../core/errors.ts';
import { verifyStripe } from '../../../security/stripe-signature.ts';
import type { StripeInvoice, StripeSubscription } from '../types.ts';

/** Stripe's own client libraries accept signatures up to 300 s old (or ahead). */
export const STRIPE_TOLERANCE_MS = 300_000;

/** Invoice event types the flows act on. */
export const INVOICE_EVENT_TYPES = ['invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_failed'] as const;
/** Subscription event types the flows act on. */
export const SUBSCRIPTION_EVENT_TYPES = ['customer.subscription.created', 'customer.subscription.updated', 'customer.subscription.deleted'] as const;

interface EventBase {
  /** `evt_…`: the inbox deduplicates on it. */
  id: string;
  /** Unix seconds when Stripe created the event. */
  created: number;
  apiVersion: string | null;
  livemode: boolean;
}

/** An invoice event. */
export interface StripeInvoiceEvent extends EventBase {
  kind: 'invoice';
  type: (typeof INVOICE_EVENT_TYPES)[number];
  invoice: StripeInvoice;
}

/** A subscription event; `previousAttributes` on updates says what changed. */
export interface StripeSubscriptionEvent extends EventBase {
  kind: 'subscription';
  type: (typeof SUBSCRIPTION_EVENT_TYPES)[number];
  subscription: StripeSubscription;
  previousAttributes: Record<string, unknown> | undefined;
}

/** An event of a type no flow uses; acknowledge and drop. */
export interface IgnoredStripeEvent extends EventBase {
  kind: 'ignored';
  type: string;
}

/** A verified, parsed Stripe event. */
export type StripeWebhookEvent = StripeInvoiceEvent | StripeSubscriptionEvent | IgnoredStripeEvent;

/** A webhook delivery as the receiving server has it. */
export interface StripeDelivery {
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body exactly as received (not re-serialised JSON). */
  rawBody: string;
  method?: string;
  url?: string;
}

/** Options of {@link StripeWebhookVerifier}. */
export interface StripeWebhookOptions {
  /** Endpoint secrets (`whsec_…`); more than one while a secret is being rolled. */
  secrets: readonly string[];
  /** @default 300000 */
  toleranceMs?: number;
  clock?: Clock;
}

/** Verifies and parses deliveries for one webhook endpoint. */
export class StripeWebhookVerifier {
  readonly #secrets: readonly string[];
  readonly #toleranceMs: number;
  readonly #clock: Clock;

  constructor(options: StripeWebhookOptions) {
    if (options.secrets.length === 0 || options.secrets.some((s) => s === '')) {
      throw new InterlockError('validation', 'a Stripe webhook verifier needs at least one non-empty endpoint secret', { details: { field: 'secrets' } });
    }
    this.#secrets = options.secrets;
    this.#toleranceMs = options.toleranceMs ?? STRIPE_TOLERANCE_MS;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * The event of a genuine delivery. Throws `auth` (a WebhookSignatureError) for a bad or stale
   * signature and `validation` for a body that is not a Stripe event.
   */
  verify(delivery: StripeDelivery): StripeWebhookEvent {
    verifyStripe(
      { method: delivery.method ?? 'POST', url: delivery.url ?? '', headers: delivery.headers, rawBody: delivery.rawBody },
      this.#secrets,
      this.#toleranceMs,
      this.#clock.now(),
    );
    return parseStripeEvent(delivery.rawBody);
  }
}

/** Parses an event body (already verified) into the typed union. */
export function parseStripeEvent(rawBody: string): StripeWebhookEvent {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw invalid('the body is not JSON');
  }
  if (typeof json !== 'object' || json === null) throw invalid('the body is not an object');
  const e = json as Record<string, unknown>;
  if (e.object !== 'event' || typeof e.id !== 'string' || typeof e.type !== 'string' || typeof e.created !== 'number') {
    throw invalid('the body is not a Stripe event (object, id, type, created)');
  }
  const base: EventBase = {
    id: e.id,
    created: e.created,
    apiVersion: typeof e.api_version === 'string' ? e.api_version : null,
    livemode: e.livemode === true,
  };
  const data = e.data as { object?: unknown; previous_attributes?: unknown } | undefined;
  const object = data?.object as Record<string, unknown> | undefined;
  const type = e.type;
  if (isOneOf(type, INVOICE_EVENT_TYPES)) {
    if (object?.object !== 'invoice' || typeof object.id !== 'string') throw invalid(`${type} carries no invoice`);
    return { ...base, kind: 'invoice', type, invoice: object as unknown as StripeInvoice };
  }
  if (isOneOf(type, SUBSCRIPTION_EVENT_TYPES)) {
    if (object?.object !== 'subscription' || typeof object.id !== 'string') throw invalid(`${type} carries no subscription`);
    const previous = data?.previous_attributes;
    return {
      ...base,
      kind: 'subscription',
      type,
      subscription: object as unknown as StripeSubscription,
      previousAttributes: typeof previous === 'object' && previous !== null ? (previous as Record<string, unknown>) : undefined,
    };
  }
  return { ...base, kind: 'ignored', type };
}

function isOneOf<T extends string>(value: string, list: readonly T[]): value is T {
  return (list as readonly string[]).includes(value);
}

function invalid(why: string): InterlockError {
  return new InterlockError('validation', `Stripe webhook: ${why}`, { details: { vendor: 'Stripe' } });
}
