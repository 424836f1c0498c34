/**
 * NetSuite's REST error shape: an RFC 7807-style body with `type`, `title`, `status` and
 * `o:errorDetails` entries carrying `detail`, `o:errorCode` and, where they apply,
 * `o:errorPath`, `o:errorHeader` or `o:errorQueryParam`. Handlers throw {@link NetSuiteError};
 * one error handler renders it.
 */
import type { RenderedError } from '../kit/index.ts';

const TYPES: Readonly<Record<number, [string, string]>> = {
  400: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1', 'Bad Request'],
  401: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.2', 'Unauthorized'],
  403: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.4', 'Forbidden'],
  404: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.5', 'Not Found'],
  405: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.6', 'Method Not Allowed'],
  415: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.16', 'Unsupported Media Type'],
  429: ['https://tools.ietf.org/html/rfc6585#section-4', 'Too Many Requests'],
  500: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.1', 'Internal Server Error'],
  503: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.4', 'Service Unavailable'],
};

/** Where in the request the error is, when NetSuite says. */
export interface ErrorLocation {
  /** JSON path in the body, e.g. `item.items[0].item`. */
  path?: string;
  /** Offending header. */
  header?: string;
  /** Offending query parameter. */
  queryParam?: string;
}

/** A failure answered in NetSuite's error shape. */
export class NetSuiteError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** `o:errorCode`, e.g. `INVALID_KEY_OR_REF`. */
  readonly code: string;
  /** Where the error is. */
  readonly location: ErrorLocation;
  /** Title override (NetSuite titles an idempotency clash "Conflict" although it is a 400). */
  readonly title: string | undefined;

  constructor(status: number, code: string, detail: string, location: ErrorLocation = {}, title?: string) {
    super(detail);
    this.name = 'NetSuiteError';
    this.status = status;
    this.code = code;
    this.location = location;
    this.title = title;
  }

  /** The response body. */
  toBody(): Record<string, unknown> {
    return errorBody(this.status, this.code, this.message, this.location, this.title);
  }
}

/** Builds a NetSuite error body. */
export function errorBody(status: number, code: string, detail: string, location: ErrorLocation = {}, title?: string): Record<string, unknown> {
  const [type, defaultTitle] = TYPES[status] ?? TYPES[500] ?? ['', ''];
  const entry: Record<string, unknown> = { detail, 'o:errorCode': code };
  if (location.path !== undefined) entry['o:errorPath'] = location.path;
  if (location.header !== undefined) entry['o:errorHeader'] = location.header;
  if (location.queryParam !== undefined) entry['o:errorQueryParam'] = location.queryParam;
  return { type, title: title ?? defaultTitle, status, 'o:errorDetails': [entry] };
}

/** The answer to an unknown or invalid login (token missing, wrong or expired). */
export function invalidLogin(): NetSuiteError {
  return new NetSuiteError(
    401,
    'INVALID_LOGIN',
    'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
  );
}

/** `404 NONEXISTENT_ID` for a record that does not exist. */
export function nonexistent(type: string, id: string): NetSuiteError {
  return new NetSuiteError(404, 'NONEXISTENT_ID', `The record instance does not exist. Provide a valid record instance ID. (${type} ${id})`);
}

/** The message of NetSuite's account-wide concurrency refusal. */
export const CONCURRENCY_DETAIL =
  'The request could not be processed because the account has exceeded its concurrency limit. Wait and try again later.';

/** NetSuite's answers to injected faults. */
export function renderNetSuiteError(kind: 'server' | 'rate-limited' | 'maintenance'): RenderedError {
  switch (kind) {
    case 'server':
      return { status: 500, headers: {}, body: errorBody(500, 'UNEXPECTED_ERROR', 'An unexpected error occurred. Error ID: sandbox-fault') };
    case 'rate-limited':
      return { status: 429, headers: {}, body: errorBody(429, 'CONCURRENCY_LIMIT_EXCEEDED', CONCURRENCY_DETAIL) };
    case 'maintenance':
      return { status: 503, headers: {}, body: errorBody(503, 'SERVICE_UNAVAILABLE', 'NetSuite is undergoing scheduled maintenance. Try again later.') };
  }
}
