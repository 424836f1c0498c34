/**
 * AvaTax's error body, `{error: {code, message, target, details: [{code, message, refersTo…}]}}`,
 * refined into the taxonomy for the transport's `classify`: AvaTax answers most input problems
 * with a 400 whose `code` tells a missing field (validation) from a document conflict.
 */
import type { ErrorCode } from '../../core/errors.ts';
import type { VendorResponse } from '../kit/http-transport.ts';

/** AvaTax's `error` object as it arrives. */
export interface AvaTaxErrorBody {
  code?: string;
  message?: string;
  target?: string;
  details?: Array<{ code?: string; message?: string; description?: string; refersTo?: string; severity?: string }>;
}

// Codes that say the request itself is wrong and must be fixed by whoever built it.
const VALIDATION = new Set([
  'ValueRequiredError',
  'MissingLine',
  'MissingAddress',
  'InvalidAddress',
  'InvalidCountry',
  'InvalidDocumentType',
  'DateFormatError',
  'JsonFormatError',
  'ModelRequiredException',
  'ModelStateInvalid',
  'IncorrectFieldValue',
  'InvalidEntry',
  'ValueLengthError',
]);

/** The taxonomy code, message and facts for a failed AvaTax answer; undefined keeps the default. */
export function classifyAvaTax(res: VendorResponse): { code: ErrorCode; message: string; details: Record<string, unknown> } | undefined {
  const error = (res.body as { error?: AvaTaxErrorBody } | null)?.error;
  if (typeof error !== 'object' || error === null || typeof error.code !== 'string') return undefined;
  const refersTo = error.details?.find((d) => d.refersTo !== undefined)?.refersTo;
  const details: Record<string, unknown> = { avataxCode: error.code, target: error.target };
  if (refersTo !== undefined) details.refersTo = refersTo;
  return { code: codeFor(res.status, error.code), message: error.message ?? error.code, details };
}

function codeFor(status: number, code: string): ErrorCode {
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'transient';
  if (status === 401 || status === 403 || code === 'AuthenticationException' || code === 'AuthorizationException') return 'auth';
  if (code === 'DocumentCodeConflict') return 'conflict';
  if (VALIDATION.has(code)) return 'validation';
  // An unknown tax code is a 400 EntityNotFoundError: the input names something AvaTax lacks.
  if (code === 'EntityNotFoundError') return status === 404 ? 'not-found' : 'validation';
  return 'permanent';
}
