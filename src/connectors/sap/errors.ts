/**
 * SAP Gateway's OData v2 error bodies → the error taxonomy, for the transport's `classify`:
 * `{error:{code, message:{lang, value}, innererror:{errordetails:[{propertyref…}]}}}`. The CSRF
 * refusal (403, `X-CSRF-Token: Required`, plain text) is `auth` with `details.csrfRequired`, so
 * the client knows to fetch a new token; 412 (stale ETag) is a `conflict`; 428 (no `If-Match`)
 * is `permanent` — a bug on our side, not something a retry fixes.
 */
import type { ErrorCode } from '../../core/errors.ts';
import type { VendorResponse } from '../kit/http-transport.ts';

const BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'validation',
  401: 'auth',
  403: 'auth',
  404: 'not-found',
  405: 'permanent',
  409: 'conflict',
  412: 'conflict',
  428: 'permanent',
  429: 'rate-limited',
};

/** Refines a failed SAP answer; undefined keeps the status-based default. */
export function classifySapError(res: VendorResponse): { code: ErrorCode; message: string; details: Record<string, unknown> } | undefined {
  const csrf = res.headers['x-csrf-token'];
  if (res.status === 403 && String(Array.isArray(csrf) ? csrf[0] : csrf).toLowerCase() === 'required') {
    return { code: 'auth', message: 'CSRF token validation failed', details: { csrfRequired: true } };
  }
  const error = typeof res.body === 'object' && res.body !== null ? (res.body as { error?: unknown }).error : undefined;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; message?: { value?: unknown } | unknown; innererror?: { errordetails?: Array<{ propertyref?: unknown }> } };
  const sapCode = typeof e.code === 'string' ? e.code : undefined;
  const text = typeof e.message === 'object' && e.message !== null ? String((e.message as { value?: unknown }).value ?? '') : String(e.message ?? '');
  const code = BY_STATUS[res.status] ?? (res.status >= 500 ? 'transient' : 'permanent');
  const property = e.innererror?.errordetails?.[0]?.propertyref;
  return {
    code,
    message: `${sapCode ?? res.status}: ${text}`,
    details: { sapCode, ...(typeof property === 'string' && property !== '' ? { path: property } : {}) },
  };
}
