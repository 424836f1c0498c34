/**
 * NetSuite's error bodies → the error taxonomy, for the transport's `classify`: REST answers
 * `{title, status, o:errorDetails:[{detail, o:errorCode, o:errorPath…}]}`, the token endpoint
 * `{error, error_description}`.
 */
import type { ErrorCode } from '../../core/errors.ts';
import type { VendorResponse } from '../kit/http-transport.ts';

const CODES: Readonly<Record<string, ErrorCode>> = {
  INVALID_LOGIN: 'auth',
  INSUFFICIENT_PERMISSION: 'auth',
  NONEXISTENT_ID: 'not-found',
  INVALID_KEY_OR_REF: 'validation',
  USER_ERROR: 'validation',
  INVALID_CONTENT: 'validation',
  INVALID_ID: 'validation',
  INVALID_PARAMETER: 'validation',
  INVALID_HEADER: 'validation',
  INVALID_RCRD_TYPE: 'validation',
  INVALID_TRANSFORM: 'validation',
  UNIQUE_CUST_ID_REQD: 'conflict',
  IDEMPOTENCY_ERROR: 'conflict',
  CONCURRENCY_LIMIT_EXCEEDED: 'rate-limited',
  UNEXPECTED_ERROR: 'transient',
};

const OAUTH_CODES: Readonly<Record<string, ErrorCode>> = {
  invalid_client: 'auth',
  invalid_grant: 'auth',
  invalid_scope: 'auth',
  invalid_request: 'permanent',
  unsupported_grant_type: 'permanent',
};

/** Refines a failed NetSuite answer; undefined keeps the status-based default. */
export function classifyNetSuiteError(res: VendorResponse): { code: ErrorCode; message: string; details: Record<string, unknown> } | undefined {
  if (typeof res.body !== 'object' || res.body === null) return undefined;
  const body = res.body as Record<string, unknown>;
  const details = body['o:errorDetails'];
  if (Array.isArray(details)) {
    const first = (details[0] ?? {}) as Record<string, unknown>;
    const errorCode = typeof first['o:errorCode'] === 'string' ? first['o:errorCode'] : undefined;
    // The concurrency limit is a 429 whatever its code says.
    const code = res.status === 429 ? 'rate-limited' : errorCode === undefined ? undefined : (CODES[errorCode] ?? (res.status >= 500 ? 'transient' : undefined));
    if (code === undefined) return undefined;
    const path = first['o:errorPath'] ?? first['o:errorHeader'] ?? first['o:errorQueryParam'];
    return {
      code,
      message: `${errorCode ?? res.status}: ${String(first['detail'] ?? body['title'] ?? '')}`,
      details: { errorCode, ...(path === undefined ? {} : { path }) },
    };
  }
  if (typeof body['error'] === 'string') {
    const code = OAUTH_CODES[body['error']];
    if (code === undefined) return undefined;
    return { code, message: `${body['error']}: ${String(body['error_description'] ?? '')}`, details: { errorCode: body['error'] } };
  }
  return undefined;
}
