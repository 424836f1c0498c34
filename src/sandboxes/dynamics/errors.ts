/**
 * Dataverse's error shape, `{"error":{"code":"0x…","message":"…"}}`, and the codes the sandbox
 * answers with. Handlers throw {@link DataverseError}; one error handler renders it. Injected
 * faults come out as the service-protection 429 (with `Retry-After`), a 500 and a 503.
 */
import type { FaultErrorKind, RenderedError } from '../kit/index.ts';

/** Dataverse error codes used by the sandbox (hex strings, as the Web API sends them). */
export const CODES = {
  /** Record (or alternate key) does not exist. */
  notFound: '0x80040217',
  /** `If-None-Match: *` on an existing record: duplicate key. */
  duplicateKey: '0x80040237',
  /** `If-Match` with an etag that is no longer current. */
  concurrencyMismatch: '0x80060882',
  /** Unknown property, bad query option, malformed URL or payload (OData layer). */
  odataInvalid: '0x80060888',
  /** A payload value of the wrong type. */
  badPayload: '0x80048d19',
  /** A required column left empty. */
  required: '0x80040200',
  /** A computed or system column written. */
  readOnly: '0x80048d0b',
  /** Service protection: number of requests. */
  tooManyRequests: '0x80072322',
  /** Generic unexpected error. */
  unexpected: '0x80040216',
} as const;

/** A failure answered in Dataverse's error shape. */
export class DataverseError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Dataverse error code, e.g. `0x80040217`. */
  readonly code: string;
  /** Extra headers, e.g. `Retry-After`. */
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'DataverseError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }

  /** The response body. */
  toBody(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** `404` for a record that is not there, worded as Dataverse words it. */
export function recordNotFound(logicalName: string, key: string): DataverseError {
  return new DataverseError(404, CODES.notFound, `${logicalName} With Id = ${key} Does Not Exist`);
}

/** `400` for a property the type does not have. */
export function noSuchProperty(name: string, logicalName: string): DataverseError {
  return new DataverseError(400, CODES.odataInvalid, `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${logicalName}'.`);
}

/** `400` for a malformed request (URL, query option or payload). */
export function badRequest(message: string, code: string = CODES.odataInvalid): DataverseError {
  return new DataverseError(400, code, message);
}

/** How long a throttled client is told to wait, in seconds (the kit's 429 bursts). */
export const RETRY_AFTER_SECONDS = 1;

/** Dataverse's answers to injected faults. */
export function renderDataverseError(kind: FaultErrorKind): RenderedError {
  switch (kind) {
    case 'rate-limited':
      return {
        status: 429,
        headers: { 'retry-after': String(RETRY_AFTER_SECONDS), 'odata-version': '4.0' },
        body: { error: { code: CODES.tooManyRequests, message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.' } },
      };
    case 'server':
      return { status: 500, headers: { 'odata-version': '4.0' }, body: { error: { code: CODES.unexpected, message: 'An unexpected error occurred.' } } };
    case 'maintenance':
      return { status: 503, headers: { 'retry-after': '30' }, body: { error: { code: CODES.unexpected, message: 'The service is temporarily unavailable. Please try again later.' } } };
  }
}
