/**
 * SAP Gateway's OData v2 error shape: `{"error":{"code","message":{"lang","value"},"innererror":
 * {"application":{…},"transactionid","timestamp","errordetails":[…]}}}`. `code` is a T100 message
 * class and number (e.g. `/IWBEP/CM_MGW_RT/020`) or an exception class. Handlers throw
 * {@link SapError}; one error handler renders it. The CSRF refusal is the one plain-text answer.
 */
import { randomBytes } from 'node:crypto';
import type { FaultErrorKind, RenderedError } from '../kit/index.ts';

/** A failure answered in SAP Gateway's error shape. */
export class SapError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** T100 message class/number or exception class. */
  readonly code: string;
  /** Extra response headers. */
  readonly headers: Record<string, string>;
  /** Property the error is about, for `errordetails[].propertyref`. */
  readonly target: string | undefined;

  constructor(status: number, code: string, message: string, options: { headers?: Record<string, string>; target?: string } = {}) {
    super(message);
    this.name = 'SapError';
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
    this.target = options.target;
  }

  /** The response body. */
  toBody(service = ''): Record<string, unknown> {
    return errorBody(this.code, this.message, service, this.target);
  }
}

/** Builds an OData v2 error body. */
export function errorBody(code: string, message: string, service = '', target?: string): Record<string, unknown> {
  return {
    error: {
      code,
      message: { lang: 'en', value: message },
      innererror: {
        application: { component_id: 'SD-SLS-API', service_namespace: '/SAP/', service_id: service, service_version: '0001' },
        transactionid: randomBytes(16).toString('hex').toUpperCase(),
        timestamp: new Date().toISOString().replace(/\D/g, '').slice(0, 14) + '.' + '0000000',
        Error_Resolution: { SAP_Transaction: 'For backend administrators: use ADT feed reader "SAP Gateway Error Log" or run transaction /IWFND/ERROR_LOG on SAP Gateway hub system and search for entries with the timestamp above for more details', SAP_Note: 'See SAP Note 1797736 for error analysis (https://service.sap.com/sap/support/notes/1797736)' },
        errordetails: [{ code, message, propertyref: target ?? '', severity: 'error', target: target ?? '', transition: false }],
      },
    },
  };
}

/** `404` for a key that matches nothing. */
export function notFound(set: string, key: string): SapError {
  return new SapError(404, '/IWBEP/CM_MGW_RT/020', `Resource not found for segment '${set}(${key})'.`);
}

/** `400` for a malformed request (query option, body or key). */
export function badRequest(message: string, target?: string): SapError {
  return new SapError(400, '/IWBEP/CM_MGW_RT/000', message, target === undefined ? {} : { target });
}

/** SAP's answers to injected faults. */
export function renderSapError(kind: FaultErrorKind): RenderedError {
  const json = { 'content-type': 'application/json; charset=utf-8' };
  switch (kind) {
    case 'server':
      return { status: 500, headers: json, body: errorBody('/IWFND/CM_BEC/026', 'Error while executing the request in the backend system (sandbox fault)') };
    case 'rate-limited':
      return { status: 429, headers: { ...json, 'retry-after': '1' }, body: errorBody('/IWFND/CM_CONSUMER/429', 'Too many requests: the tenant is throttling this communication user. Retry later.') };
    case 'maintenance':
      return { status: 503, headers: { ...json, 'retry-after': '30' }, body: errorBody('/IWFND/CM_BEC/026', 'Service unavailable: the system is in a maintenance window') };
  }
}
