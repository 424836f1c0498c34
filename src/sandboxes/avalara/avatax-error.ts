/**
 * AvaTax's error body, `{ error: { code, message, target, details: [{ code, message,
 * description, faultCode, helpLink, severity, refersTo }] } }`, thrown by the routes as
 * {@link AvaTaxError} and rendered by the scope's error handler, and the fault renderer.
 */
import type { FaultErrorKind, RenderedError } from '../kit/index.ts';

/** Where AvaTax says the fault lies. */
export type AvaTaxTarget = 'IncorrectData' | 'HttpRequest' | 'HttpRequestHeaders' | 'Unknown';

/** A failure to answer in AvaTax's shape. */
export class AvaTaxError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** AvaTax's error code, e.g. `MissingAddress`. */
  readonly code: string;
  /** AvaTax's `target`. */
  readonly target: AvaTaxTarget;
  /** The field the error refers to, when one does. */
  readonly refersTo: string | undefined;

  constructor(status: number, code: string, message: string, target: AvaTaxTarget = 'IncorrectData', refersTo?: string) {
    super(message);
    this.name = 'AvaTaxError';
    this.status = status;
    this.code = code;
    this.target = target;
    this.refersTo = refersTo;
  }

  /** The JSON body AvaTax sends. */
  body(): { error: Record<string, unknown> } {
    const detail: Record<string, unknown> = {
      code: this.code,
      message: this.message,
      description: this.message,
      faultCode: this.status >= 500 ? 'Server' : 'Client',
      helpLink: `https://developer.avalara.com/avatax/errors/${this.code}`,
      severity: 'Error',
    };
    if (this.refersTo !== undefined) detail.refersTo = this.refersTo;
    return { error: { code: this.code, message: this.message, target: this.target, details: [detail] } };
  }
}

/** `ValueRequiredError` for a missing field. */
export const valueRequired = (field: string): AvaTaxError =>
  new AvaTaxError(400, 'ValueRequiredError', `Field '${field}' is required.`, 'IncorrectData', field);

/** Renders an injected fault as AvaTax answers it. */
export function renderAvaTaxFault(kind: FaultErrorKind): RenderedError {
  if (kind === 'rate-limited') {
    const error = new AvaTaxError(429, 'TooManyRequests', 'Too many requests. Please slow down and retry later.', 'HttpRequest');
    return { status: 429, headers: { 'retry-after': '1' }, body: error.body() };
  }
  const error =
    kind === 'maintenance'
      ? new AvaTaxError(503, 'ServerUnreachable', 'AvaTax is down for scheduled maintenance. Please retry later.', 'Unknown')
      : new AvaTaxError(500, 'ServerConfiguration', 'An unexpected error occurred on the server. Please retry.', 'Unknown');
  return { status: error.status, headers: {}, body: error.body() };
}
