/**
 * Salesforce's error bodies → the error taxonomy, for the transport's `classify`. REST errors are
 * arrays of `{message, errorCode, fields}`; the token endpoint answers `{error,
 * error_description}`; the Pub/Sub projection `{grpcStatus, errorCode, message}`.
 */
import type { ErrorCode } from '../../core/errors.ts';
import type { VendorResponse } from '../kit/http-transport.ts';

const CODES: Readonly<Record<string, ErrorCode>> = {
  INVALID_SESSION_ID: 'auth',
  INVALID_AUTH_HEADER: 'auth',
  // Salesforce has no 429: the daily and concurrency limits answer 403 with this code.
  REQUEST_LIMIT_EXCEEDED: 'rate-limited',
  MALFORMED_QUERY: 'validation',
  INVALID_FIELD: 'validation',
  INVALID_TYPE: 'validation',
  INVALID_FIELD_FOR_INSERT_UPDATE: 'validation',
  REQUIRED_FIELD_MISSING: 'validation',
  MALFORMED_ID: 'validation',
  JSON_PARSER_ERROR: 'validation',
  STRING_TOO_LONG: 'validation',
  INVALID_CROSS_REFERENCE_KEY: 'validation',
  INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: 'validation',
  FIELD_CUSTOM_VALIDATION_EXCEPTION: 'validation',
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: 'validation',
  STANDARD_PRICE_NOT_DEFINED: 'validation',
  DUPLICATE_VALUE: 'conflict',
  NOT_FOUND: 'not-found',
  ENTITY_IS_DELETED: 'not-found',
  INVALID_QUERY_LOCATOR: 'permanent',
  UNKNOWN_EXCEPTION: 'transient',
  SERVER_UNAVAILABLE: 'transient',
};

const OAUTH_CODES: Readonly<Record<string, ErrorCode>> = {
  invalid_grant: 'auth',
  invalid_client: 'auth',
  invalid_client_id: 'auth',
  unsupported_grant_type: 'permanent',
  invalid_request: 'permanent',
};

const GRPC_CODES: Readonly<Record<string, ErrorCode>> = {
  UNAUTHENTICATED: 'auth',
  INVALID_ARGUMENT: 'validation',
  NOT_FOUND: 'not-found',
  RESOURCE_EXHAUSTED: 'rate-limited',
  UNAVAILABLE: 'transient',
};

/** Refines a failed Salesforce answer; undefined keeps the status-based default. */
export function classifySalesforceError(res: VendorResponse): { code: ErrorCode; message: string; details: Record<string, unknown> } | undefined {
  const body = res.body;
  if (Array.isArray(body)) {
    const first = body[0] as { errorCode?: unknown; message?: unknown; fields?: unknown } | undefined;
    const errorCode = typeof first?.errorCode === 'string' ? first.errorCode : undefined;
    if (errorCode === undefined) return undefined;
    const code = CODES[errorCode] ?? (res.status >= 500 ? 'transient' : undefined);
    if (code === undefined) return undefined;
    return {
      code,
      message: `${errorCode}: ${String(first?.message ?? '')}`,
      details: { errorCode, ...(Array.isArray(first?.fields) && first.fields.length > 0 ? { fields: first.fields } : {}) },
    };
  }
  if (typeof body === 'object' && body !== null) {
    const o = body as Record<string, unknown>;
    if (typeof o['error'] === 'string') {
      const code = OAUTH_CODES[o['error']];
      if (code === undefined) return undefined;
      return { code, message: `${o['error']}: ${String(o['error_description'] ?? '')}`, details: { errorCode: o['error'] } };
    }
    if (typeof o['grpcStatus'] === 'string') {
      const code = GRPC_CODES[o['grpcStatus']];
      if (code === undefined) return undefined;
      return { code, message: `${o['grpcStatus']} ${String(o['errorCode'] ?? '')}: ${String(o['message'] ?? '')}`, details: { errorCode: o['errorCode'], grpcStatus: o['grpcStatus'] } };
    }
  }
  return undefined;
}
