/**
 * The one error taxonomy of Interlock.
 *
 * Every failure, whether it comes from a vendor API, the store, a mapping or bad user input, is
 * expressed as an {@link InterlockError} with one of these codes. The code carries the decision
 * that callers need: whether to retry, when, and who must act (the user, operations, or us).
 * Connectors translate vendor failures into it at their transport; the HTTP edge maps codes to
 * statuses in one table (`src/api/problem.ts`).
 */

/** Who must act on a failure. */
export type Actor = 'user' | 'operations' | 'developer';

/** The error codes, one per kind of failure. */
export type ErrorCode =
  | 'validation'
  | 'transient'
  | 'rate-limited'
  | 'permanent'
  | 'conflict'
  | 'not-found'
  | 'auth'
  | 'unexpected';

/** How a failure of each code is handled by retry logic and who is told. */
export interface ErrorClassInfo {
  /** Whether retrying the same operation later may succeed. */
  readonly retryable: boolean;
  /** Who must act when the failure is final. */
  readonly actor: Actor;
  /** HTTP status the API edge answers with. */
  readonly status: number;
  /** Short human title, used as the problem+json `title`. */
  readonly title: string;
}

/** The table that decides retries, responsibility and HTTP status for each code. */
export const ERROR_CLASSES: Readonly<Record<ErrorCode, ErrorClassInfo>> = Object.freeze({
  validation: { retryable: false, actor: 'user', status: 400, title: 'Invalid input' },
  transient: { retryable: true, actor: 'operations', status: 503, title: 'Temporarily unavailable' },
  'rate-limited': { retryable: true, actor: 'operations', status: 429, title: 'Rate limited' },
  permanent: { retryable: false, actor: 'user', status: 422, title: 'Permanent failure' },
  conflict: { retryable: false, actor: 'user', status: 409, title: 'Conflict' },
  'not-found': { retryable: false, actor: 'user', status: 404, title: 'Not found' },
  auth: { retryable: false, actor: 'operations', status: 401, title: 'Not authorised' },
  unexpected: { retryable: false, actor: 'developer', status: 500, title: 'Unexpected error' },
});

/** Options accepted by {@link InterlockError}. */
export interface InterlockErrorOptions {
  /** The underlying cause, kept for logs, never shown to API users. */
  cause?: unknown;
  /** Milliseconds to wait before retrying, when the failure says so (e.g. `Retry-After`). */
  retryAfterMs?: number;
  /** Structured facts for the user: field paths, the offending key, the vendor's own code. */
  details?: Record<string, unknown>;
  /** Overrides the HTTP status of the code (e.g. 413 for a body too large, still `validation`). */
  status?: number;
  /** A stable, more specific problem type slug, e.g. `body-too-large`. */
  type?: string;
}

/**
 * A classified failure. Throw it (or one of the helpers below) anywhere; catch unknown throws with
 * {@link toInterlockError}.
 */
export class InterlockError extends Error {
  /** The failure class. */
  readonly code: ErrorCode;
  /** Milliseconds to wait before retrying, when known. */
  readonly retryAfterMs: number | undefined;
  /** Structured facts about the failure. */
  readonly details: Record<string, unknown> | undefined;
  /** HTTP status override. */
  readonly statusOverride: number | undefined;
  /** Stable problem type slug. */
  readonly type: string;

  constructor(code: ErrorCode, message: string, options: InterlockErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InterlockError';
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
    this.statusOverride = options.status;
    this.type = options.type ?? code;
  }

  /** Whether a retry of the same operation may succeed. */
  get retryable(): boolean {
    return ERROR_CLASSES[this.code].retryable;
  }

  /** HTTP status for this error. */
  get status(): number {
    return this.statusOverride ?? ERROR_CLASSES[this.code].status;
  }
}

/** Bad input from a user or a caller: names what is wrong. */
export const validationError = (message: string, options?: InterlockErrorOptions): InterlockError =>
  new InterlockError('validation', message, options);

/** A failure that may pass: network errors, 5xx, timeouts, maintenance windows. */
export const transientError = (message: string, options?: InterlockErrorOptions): InterlockError =>
  new InterlockError('transient', message, options);

/** The other side asked us to slow down; `retryAfterMs` says for how long when it told us. */
export const rateLimitedError = (message: string, options?: InterlockErrorOptions): InterlockError =>
  new InterlockError('rate-limited', message, options);

/** A failure that retrying cannot fix: rejected payload, business rule. */
export const permanentError = (message: string, options?: InterlockErrorOptions): InterlockError =>
  new InterlockError('permanent', message, options);

/** The request conflicts with current state (in-flight duplicate, version mismatch). */
export const conflictError = (message: string, options?: InterlockErrorOptions): InterlockError =>
  new InterlockError('conflict', message, options);

/** The thing asked for does not exist. */
export const notFoundError = (message: string, options?: InterlockErrorOptions): InterlockError =>
  new InterlockError('not-found', message, options);

/** Missing or refused credentials. */
export const authError = (message: string, options?: InterlockErrorOptions): InterlockError =>
  new InterlockError('auth', message, options);

/**
 * Normalises anything thrown into an {@link InterlockError}. Known Node network error codes become
 * `transient`; anything else unknown is `unexpected` (a bug: the developers must act).
 */
export function toInterlockError(thrown: unknown): InterlockError {
  if (thrown instanceof InterlockError) return thrown;
  if (thrown instanceof Error) {
    const code = (thrown as NodeJS.ErrnoException).code;
    if (code !== undefined && TRANSIENT_NODE_CODES.has(code)) {
      return transientError(`${code}: ${thrown.message}`, { cause: thrown });
    }
    return new InterlockError('unexpected', thrown.message, { cause: thrown });
  }
  return new InterlockError('unexpected', String(thrown));
}

// Network and timeout codes from Node and undici that mean "try again later".
const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ABORT_ERR',
]);
