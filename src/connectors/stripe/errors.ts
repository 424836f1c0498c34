/**
 * Stripe's error body, `{error: {type, code, message, param, decline_code}}`, refined into the
 * error taxonomy for the transport's `classify`: the `type` and `code` say more than the status
 * (a 400 may be a bad parameter, a reused idempotency key or, before 2015 semantics, a rate limit).
 */
import type { ErrorCode } from '../../core/errors.ts';
import type { VendorResponse } from '../kit/http-transport.ts';

/** Stripe's `error` object as it arrives. */
export interface StripeErrorBody {
  type?: string;
  code?: string;
  message?: string;
  param?: string;
  decline_code?: string;
}

/** The taxonomy code, message and facts for a failed Stripe answer; undefined keeps the default. */
export function classifyStripe(res: VendorResponse): { code: ErrorCode; message: string; details: Record<string, unknown> } | undefined {
  const error = (res.body as { error?: StripeErrorBody } | null)?.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const requestId = res.headers['request-id'];
  const limited = res.headers['stripe-rate-limited-reason'];
  const details: Record<string, unknown> = {
    stripeType: error.type,
    stripeCode: error.code,
    param: error.param,
    declineCode: error.decline_code,
    requestId: Array.isArray(requestId) ? requestId[0] : requestId,
    rateLimitedReason: Array.isArray(limited) ? limited[0] : limited,
  };
  for (const k of Object.keys(details)) if (details[k] === undefined) delete details[k];
  return { code: codeFor(res.status, error), message: error.message ?? `Stripe ${error.type ?? 'error'}`, details };
}

function codeFor(status: number, error: StripeErrorBody): ErrorCode {
  if (status === 429 || error.code === 'rate_limit' || error.type === 'rate_limit_error') return 'rate-limited';
  // The first request with the key is still running: a later retry gets its stored answer.
  if (error.code === 'idempotency_key_in_use') return 'transient';
  // The key was used for other parameters or another endpoint: a retry can never succeed.
  if (error.type === 'idempotency_error') return 'conflict';
  if (status === 401 || status === 403 || error.type === 'authentication_error') return 'auth';
  if (error.type === 'api_error' || status >= 500) return 'transient';
  if (status === 404 || error.code === 'resource_missing') return 'not-found';
  // A declined card is final for this call: the customer must act, a retry will not help.
  if (error.type === 'card_error') return 'permanent';
  // Stripe names the offending parameter when the request itself is malformed.
  if (error.type === 'invalid_request_error' && (error.param !== undefined || error.code?.startsWith('parameter_') === true)) return 'validation';
  return 'permanent';
}
