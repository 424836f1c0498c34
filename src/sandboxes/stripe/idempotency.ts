/**
 * Stripe's `Idempotency-Key` rules on POST requests: the first response (success or failure,
 * once the endpoint began executing) is stored and replayed with `Idempotent-Replayed: true`;
 * the same key with other parameters → 400 `idempotency_error`; with another endpoint → 400
 * `invalid_request_error`; while the first request is still in flight → 409
 * `idempotency_key_in_use`. Keys are forgotten after 24 hours. Requests refused before
 * execution (bad key, auth, faults, parameter validation) are not stored, so they may be retried.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { openStateStore, type Collection } from '../kit/index.ts';
import { paramsFingerprint } from './params.ts';
import { StripeApiError } from './stripe-error.ts';

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** A completed request, as remembered (and persisted with the sandbox state). */
export interface IdempotencyEntry {
  path: string;
  params: string;
  createdAt: number;
  status: number;
  body: string;
  contentType: string;
}

interface Reservation {
  path: string;
  params: string;
}

/** What to do with a keyed request. */
export type IdempotencyDecision =
  | { kind: 'proceed' }
  | { kind: 'replay'; status: number; body: string; contentType: string }
  | { kind: 'refuse'; error: StripeApiError };

/**
 * The remembered keys of one Stripe account. Completed keys live in a state collection, so a
 * persisted sandbox still replays them after a restart; in-flight reservations are memory only.
 */
export class IdempotencyStore {
  readonly #done: Collection<IdempotencyEntry>;
  readonly #inFlight = new Map<string, Reservation>();
  // Keys in completion order with their times, for pruning (two arrays rather than a small object
  // per key, which the collector would copy along with every kept answer); keys reloaded from a
  // file expire on lookup instead.
  #orderKeys: string[] = [];
  #orderTimes: number[] = [];
  #head = 0;
  readonly #now: () => number;

  /** `now` is injectable so a test can age keys past 24 hours. */
  constructor(done: Collection<IdempotencyEntry> = openStateStore().collection('idempotency_keys'), now: () => number = Date.now) {
    this.#done = done;
    this.#now = now;
  }

  /** Decides about a request carrying `key`, reserving the key when it proceeds. */
  begin(key: string, path: string, params: string): IdempotencyDecision {
    this.#prune();
    let entry: IdempotencyEntry | undefined = this.#done.get(key);
    if (entry !== undefined && entry.createdAt <= this.#now() - IDEMPOTENCY_TTL_MS) {
      this.#done.delete(key);
      entry = undefined;
    }
    const running = entry === undefined ? this.#inFlight.get(key) : undefined;
    const known: Reservation | undefined = entry ?? running;
    if (known === undefined) {
      this.#inFlight.set(key, { path, params });
      return { kind: 'proceed' };
    }
    if (known.path !== path) {
      return refuse(
        400,
        'invalid_request_error',
        `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${known.path}' vs '${path}'). Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    if (known.params !== params) {
      return refuse(
        400,
        'idempotency_error',
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    if (entry === undefined) {
      return refuse(
        409,
        'idempotency_error',
        `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
        'idempotency_key_in_use',
      );
    }
    return { kind: 'replay', status: entry.status, body: entry.body, contentType: entry.contentType };
  }

  /** Stores the response of the request that reserved `key`. */
  complete(key: string, status: number, body: string, contentType: string): void {
    const reservation = this.#inFlight.get(key);
    if (reservation === undefined) return;
    this.#inFlight.delete(key);
    const createdAt = this.#now();
    this.#done.put(key, { ...reservation, createdAt, status, body, contentType });
    this.#orderKeys.push(key);
    this.#orderTimes.push(createdAt);
  }

  /** Releases a reservation whose request never began executing. */
  abandon(key: string): void {
    this.#inFlight.delete(key);
  }

  /** Keys whose first request is still running. */
  inFlight(): number {
    return this.#inFlight.size;
  }

  /** Number of remembered keys, in flight or completed. */
  get size(): number {
    return this.#done.size + this.#inFlight.size;
  }

  /** Forgets the reservations (the completed keys go with the state's reset). */
  clear(): void {
    this.#inFlight.clear();
    this.#orderKeys = [];
    this.#orderTimes = [];
    this.#head = 0;
  }

  #prune(): void {
    const cutoff = this.#now() - IDEMPOTENCY_TTL_MS;
    const keys = this.#orderKeys;
    const times = this.#orderTimes;
    while (this.#head < keys.length) {
      const createdAt = times[this.#head] as number;
      if (createdAt > cutoff) break;
      const key = keys[this.#head] as string;
      if (this.#done.get(key)?.createdAt === createdAt) this.#done.delete(key);
      this.#head += 1;
    }
    // Compact now and then so the order lists do not grow without bound.
    if (this.#head > 1024 && this.#head * 2 > keys.length) {
      this.#orderKeys = keys.slice(this.#head);
      this.#orderTimes = times.slice(this.#head);
      this.#head = 0;
    }
  }
}

function refuse(status: number, type: 'idempotency_error' | 'invalid_request_error', message: string, code?: string): IdempotencyDecision {
  return { kind: 'refuse', error: new StripeApiError(status, type, message, code === undefined ? {} : { code }) };
}

// The key a request reserved, as a Fastify decoration rather than a WeakMap entry per request
// (an ephemeron for the collector to process).
const RESERVED = 'stripeIdempotencyKey';
type WithReservation = FastifyRequest & { [RESERVED]: string | null };

/** Installs the idempotency hooks on the Stripe routes of `scope`. */
export function registerIdempotency(scope: FastifyInstance, store: IdempotencyStore): void {
  scope.decorateRequest(RESERVED, null);
  scope.addHook('preHandler', (request, reply, done) => {
    const header = request.method === 'POST' ? request.headers['idempotency-key'] : undefined;
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || key === '') {
      done();
      return;
    }
    if (key.length > 255) {
      done(
        new StripeApiError(400, 'invalid_request_error', 'Invalid idempotency key: must be at most 255 characters long.', {
          code: 'idempotency_key_invalid',
        }),
      );
      return;
    }
    const query = request.url.indexOf('?');
    const path = query < 0 ? request.url : request.url.slice(0, query);
    const decision = store.begin(key, path, paramsFingerprint(request));
    if (decision.kind === 'refuse') {
      done(decision.error);
      return;
    }
    if (decision.kind === 'replay') {
      // Answering from a hook ends the request here; `done` must not be called as well.
      reply
        .code(decision.status)
        .header('idempotent-replayed', 'true')
        .header('idempotency-key', key)
        .type(decision.contentType)
        .send(decision.body);
      return;
    }
    (request as WithReservation)[RESERVED] = key;
    reply.header('idempotency-key', key);
    done();
  });
  scope.addHook('onSend', (request, reply, payload, done) => {
    const key = (request as WithReservation)[RESERVED];
    if (typeof key === 'string') {
      // Parameter validation failures happen before execution: Stripe does not store them.
      if (reply.statusCode === 400) store.abandon(key);
      else store.complete(key, reply.statusCode, String(payload), String(reply.getHeader('content-type') ?? 'application/json'));
    }
    done(null, payload);
  });
}
