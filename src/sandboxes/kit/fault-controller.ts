/**
 * Holds a sandbox's live fault settings and applies them to its vendor routes: maintenance (503),
 * 429 bursts, a 5xx rate, added latency and "commit, then drop the response". Each vendor passes
 * a {@link RenderError} so the failures arrive in its own shape. Admin routes (under
 * {@link ADMIN_PREFIX}) are never faulted, so a test can always turn faults off again.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  RouteOptions,
} from 'fastify';
import { NO_FAULTS, parseFaultPatch, parseFaultSettings } from './fault-settings.ts';
import { seededRandom, type Random } from './random.ts';
import type { FaultSettings, RenderError, RenderedError } from './types.ts';

/** URL prefix of the admin endpoints; no vendor uses it. */
export const ADMIN_PREFIX = '/__sandbox';

/** Seed used when none is given, so fault decisions repeat from run to run. */
export const DEFAULT_FAULT_SEED = 20_240_601;

/** Options of a {@link FaultController}. */
export interface FaultControllerOptions {
  /** Faults to start with (validated). @default none */
  initial?: Partial<FaultSettings>;
  /** Seed for fault decisions and event shuffling. @default DEFAULT_FAULT_SEED */
  seed?: number;
}

/** The live fault settings of one sandbox and the hooks that apply them. */
export class FaultController {
  #settings: FaultSettings;
  #initial: FaultSettings;
  #seed: number;
  #random: Random;
  /**
   * How many faults struck since start (or the last reset), by kind: what lets a test show that
   * the faults it set really happened, whatever the client's own retries hid from it.
   */
  readonly struck = { maintenance: 0, rateLimited: 0, server: 0, dropped: 0 };

  constructor(options: FaultControllerOptions = {}) {
    this.#initial = parseFaultSettings(options.initial ?? {});
    this.#settings = { ...this.#initial };
    this.#seed = options.seed ?? DEFAULT_FAULT_SEED;
    this.#random = seededRandom(this.#seed);
  }

  /** A copy of the current settings. */
  get(): FaultSettings {
    const s = this.#settings;
    return { ...s, rateLimit: s.rateLimit === null ? null : { ...s.rateLimit } };
  }

  /** Replaces all settings (missing fields become "no fault"); throws `validation` on bad input. */
  set(settings: unknown): FaultSettings {
    this.#settings = parseFaultSettings(settings);
    return this.get();
  }

  /** Changes only the given settings; throws `validation` on bad input. */
  patch(patch: unknown): FaultSettings {
    this.#settings = { ...this.#settings, ...parseFaultPatch(patch) };
    return this.get();
  }

  /** Turns every fault off (even those given at start) and restarts the random sequence. */
  reset(): void {
    this.#settings = { ...NO_FAULTS };
    this.#random = seededRandom(this.#seed);
    this.struck.maintenance = this.struck.rateLimited = this.struck.server = this.struck.dropped = 0;
  }

  /** Restarts the random sequence from `seed`, for tests that want a known series of decisions. */
  reseed(seed: number): void {
    this.#seed = seed;
    this.#random = seededRandom(seed);
  }

  /** The shared seeded random source (event shuffling uses it too). */
  get random(): Random {
    return this.#random;
  }

  /** Whether the next outbound event should be delivered twice (draws a random number). */
  shouldDuplicateEvent(): boolean {
    const rate = this.#settings.duplicateEventRate;
    return rate > 0 && this.#random.next() < rate;
  }

  /**
   * Decides whether a vendor request fails before it is processed, consuming one unit of a 429
   * burst when one is set. Returns the kind of failure, or null to let the request through.
   */
  admit(): 'maintenance' | 'rate-limited' | 'server' | null {
    const s = this.#settings;
    if (s.maintenance) {
      this.struck.maintenance++;
      return 'maintenance';
    }
    if (s.rateLimit !== null && s.rateLimit.burst > 0) {
      const burst = s.rateLimit.burst - 1;
      this.#settings = { ...s, rateLimit: burst > 0 ? { burst } : null };
      this.struck.rateLimited++;
      return 'rate-limited';
    }
    if (s.errorRate > 0 && this.#random.next() < s.errorRate) {
      this.struck.server++;
      return 'server';
    }
    return null;
  }

  /**
   * Installs the fault hooks on every route added to `app` from now on whose URL is not an admin
   * URL. Call it before registering vendor routes.
   */
  install(app: FastifyInstance, renderError: RenderError): void {
    app.addHook('onRoute', (route) => {
      if (route.url.startsWith(ADMIN_PREFIX)) return;
      this.#wrapRoute(route, renderError);
    });
  }

  // A callback-style hook: it runs on every vendor request, and skips the promise an async hook
  // costs. There is no onSend hook for the drop fault: a route without onSend hooks skips that
  // whole phase, so only a request chosen for dropping pays for it (see #dropAfterCommit).
  #wrapRoute(route: RouteOptions, renderError: RenderError): void {
    const admitHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
      const failure = this.admit();
      if (failure !== null) {
        sendRendered(reply, renderError(failure));
        return;
      }
      const rate = this.#settings.dropResponseRate;
      if (rate > 0 && this.#random.next() < rate) this.#dropAfterCommit(request, reply);
      done();
    };
    const handler = route.handler;
    const latency = (): number => this.#settings.latencyMs;
    // Latency sits just before the handler, after the vendor's own preHandlers, so a slow request
    // is visibly "in flight" (e.g. its idempotency key is already reserved).
    route.handler = function (this: FastifyInstance, request, reply) {
      const ms = latency();
      if (ms > 0) return sleep(ms).then(() => handler.call(this, request, reply));
      return handler.call(this, request, reply);
    };
    route.onRequest = [admitHook, ...asArray(route.onRequest)];
  }

  /**
   * Makes this one request's answer never arrive: the handler runs and commits, the vendor's
   * onSend hooks see the answer (Stripe keeps it for an idempotent retry), and where the answer
   * would be written the connection is destroyed instead. Only the writers of this request's own
   * raw response are replaced.
   */
  #dropAfterCommit(request: FastifyRequest, reply: FastifyReply): void {
    const raw = reply.raw;
    let dropped = false;
    const drop = (): void => {
      if (dropped) return;
      dropped = true;
      this.struck.dropped++;
      request.raw.socket?.destroy();
    };
    raw.writeHead = function (this: ServerResponse) {
      drop();
      return this;
    } as ServerResponse['writeHead'];
    raw.write = (() => {
      drop();
      return false;
    }) as ServerResponse['write'];
    raw.end = function (this: ServerResponse) {
      drop();
      return this;
    } as ServerResponse['end'];
  }
}

/** Sends a rendered vendor error on `reply` and returns it (for async hooks and handlers). */
export function sendRendered(reply: FastifyReply, rendered: RenderedError): FastifyReply {
  reply.code(rendered.status).headers(rendered.headers);
  if (typeof rendered.body === 'string') return reply.send(rendered.body);
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(rendered.body));
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
