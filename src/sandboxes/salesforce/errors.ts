/**
 * Salesforce's error shapes. REST API errors are a JSON array of `{message, errorCode, fields}`;
 * the OAuth endpoint answers `{error, error_description}`. Handlers throw {@link SalesforceError}
 * and one Fastify error handler renders it, so no route builds error bodies by hand.
 */

/** One entry of a Salesforce REST error array. */
export interface SfErrorEntry {
  /** Human-readable message. */
  message: string;
  /** Salesforce error code, e.g. `INVALID_FIELD`. */
  errorCode: string;
  /** Fields concerned, when any. */
  fields?: string[];
}

/** A failure answered with Salesforce's REST error array and a status. */
export class SalesforceError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Error code, e.g. `NOT_FOUND`. */
  readonly errorCode: string;
  /** Fields concerned. */
  readonly fields: string[] | undefined;

  constructor(status: number, errorCode: string, message: string, fields?: string[]) {
    super(message);
    this.name = 'SalesforceError';
    this.status = status;
    this.errorCode = errorCode;
    this.fields = fields;
  }

  /** The body Salesforce sends: a one-element array. */
  toBody(): SfErrorEntry[] {
    const entry: SfErrorEntry = { message: this.message, errorCode: this.errorCode };
    if (this.fields) entry.fields = this.fields;
    return [entry];
  }
}

/** A failure of the OAuth token endpoint, answered as `{error, error_description}`. */
export class OAuthError extends Error {
  /** HTTP status (400 for grant errors, 401 for client errors). */
  readonly status: number;
  /** OAuth error code, e.g. `invalid_grant`. */
  readonly error: string;

  constructor(status: number, error: string, description: string) {
    super(description);
    this.name = 'OAuthError';
    this.status = status;
    this.error = error;
  }
}

/** `404 NOT_FOUND`, Salesforce's answer for unknown resources and ids. */
export function notFound(): SalesforceError {
  return new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
}

/** `400 INVALID_FIELD` for a column the type does not have. */
export function noSuchColumn(field: string, type: string): SalesforceError {
  return new SalesforceError(400, 'INVALID_FIELD', `No such column '${field}' on sobject of type ${type}`, [field]);
}

/** `404 NOT_FOUND` for an unknown sObject type in a path. */
export function unknownType(type: string): SalesforceError {
  return new SalesforceError(404, 'NOT_FOUND', `The requested resource does not exist: sObject type '${type}' is not supported.`);
}
