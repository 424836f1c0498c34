/**
 * Stripe's error bodies, `{ error: { type, code, message, param, doc_url } }`, and the statuses
 * Stripe pairs them with. Route handlers throw {@link StripeApiError}; the scope's error handler
 * renders it, so every failure leaves the sandbox in Stripe's own shape.
 */
import type { FaultErrorKind, RenderedError } from '../kit/index.ts';

/** Stripe's error `type` values. */
export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

/** A failure to answer in Stripe's shape. */
export class StripeApiError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Stripe's `type`. */
  readonly type: StripeErrorType;
  /** Stripe's `code`, when it has one. */
  readonly code: string | undefined;
  /** The offending parameter, when there is one. */
  readonly param: string | undefined;
  /** Extra fields of the error object (e.g. `decline_code`, `payment_intent`). */
  readonly extra: Record<string, unknown>;
  /** Extra response headers. */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    type: StripeErrorType,
    message: string,
    options: { code?: string; param?: string; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'StripeApiError';
    this.status = status;
    this.type = type;
    this.code = options.code;
    this.param = options.param;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }

  /** The JSON body Stripe sends. */
  body(): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = { type: this.type, message: this.message };
    if (this.code !== undefined) {
      error.code = this.code;
      error.doc_url = `https://stripe.com/docs/error-codes/${this.code.replaceAll('_', '-')}`;
    }
    if (this.param !== undefined) error.param = this.param;
    return { error: { ...error, ...this.extra } };
  }
}

/** 400 `parameter_missing`. */
export const missingParam = (param: string): StripeApiError =>
  new StripeApiError(400, 'invalid_request_error', `Missing required param: ${param}.`, {
    code: 'parameter_missing',
    param,
  });

/** 400 `parameter_invalid_*` / generic invalid value. */
export const invalidParam = (param: string, message: string, code = 'parameter_invalid_string'): StripeApiError =>
  new StripeApiError(400, 'invalid_request_error', message, { code, param });

/** 404 `resource_missing`, e.g. "No such customer: 'cus_x'". */
export const resourceMissing = (noun: string, id: string, param = 'id'): StripeApiError =>
  new StripeApiError(404, 'invalid_request_error', `No such ${noun}: '${id}'`, { code: 'resource_missing', param });

/** Renders an injected fault as Stripe answers it. */
export function renderStripeFault(kind: FaultErrorKind): RenderedError {
  if (kind === 'rate-limited') {
    return {
      status: 429,
      headers: { 'stripe-rate-limited-reason': 'global-rate' },
      body: new StripeApiError(
        429,
        'invalid_request_error',
        'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
        { code: 'rate_limit' },
      ).body(),
    };
  }
  const message =
    kind === 'maintenance'
      ? 'Stripe is temporarily unavailable for maintenance. Please retry shortly.'
      : 'An unknown error occurred while processing your request. Please retry.';
  return {
    status: kind === 'maintenance' ? 503 : 500,
    headers: {},
    body: new StripeApiError(500, 'api_error', message).body(),
  };
}
