/**
 * Dataverse's error bodies → the error taxonomy, for the transport's `classify`. The Web API
 * answers `{"error":{"code":"0x…","message":"…"}}`; the identity platform `{error,
 * error_description, error_codes}`. `details.errorCode` keeps the vendor's code.
 */
import type { ErrorCode } from '../../core/errors.ts';
import type { VendorResponse } from '../kit/http-transport.ts';

const CODES: Readonly<Record<string, ErrorCode>> = {
  // Record or alternate key not found.
  '0x80040217': 'not-found',
  // Duplicate key (If-None-Match: *) and stale row version (If-Match: W/"…").
  '0x80040237': 'conflict',
  '0x80060882': 'conflict',
  // Service protection: requests, execution time, concurrent requests.
  '0x80072322': 'rate-limited',
  '0x80072321': 'rate-limited',
  '0x80072326': 'rate-limited',
  // Malformed query or payload, wrong types, required or read-only columns.
  '0x80060888': 'validation',
  '0x80048d19': 'validation',
  '0x80040200': 'validation',
  '0x80048d0b': 'validation',
  '0x80040203': 'validation',
};

const IDENTITY_CODES: Readonly<Record<string, ErrorCode>> = {
  invalid_client: 'auth',
  unauthorized_client: 'auth',
  invalid_tenant: 'auth',
  invalid_scope: 'auth',
  invalid_grant: 'auth',
  unsupported_grant_type: 'permanent',
  invalid_request: 'permanent',
};

/** Refines a failed Dataverse or identity-platform answer; undefined keeps the status-based default. */
export function classifyDynamicsError(res: VendorResponse): { code: ErrorCode; message: string; details: Record<string, unknown> } | undefined {
  const body = res.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error === 'object' && error !== null) {
    const { code: vendorCode, message } = error as { code?: unknown; message?: unknown };
    if (typeof vendorCode !== 'string') return undefined;
    // A 412 is a precondition the caller set (create-only, update-only, etag): a conflict with the row's state.
    const code = CODES[vendorCode.toLowerCase()] ?? (res.status === 412 ? 'conflict' : res.status === 429 ? 'rate-limited' : res.status >= 500 ? 'transient' : undefined);
    if (code === undefined) return undefined;
    return { code, message: `${vendorCode}: ${String(message ?? '')}`, details: { errorCode: vendorCode } };
  }
  if (typeof error === 'string') {
    const code = IDENTITY_CODES[error];
    if (code === undefined) return undefined;
    const description = String((body as { error_description?: unknown }).error_description ?? '');
    return { code, message: `${error}: ${description.split(' Trace ID:')[0] ?? description}`, details: { errorCode: error } };
  }
  return undefined;
}
