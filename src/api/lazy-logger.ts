/**
 * A request's logger that becomes the real child logger (with the request id) only when
 * something logs through it. With request logging off, Fastify's per-request `logger.child()`
 * (bindings serialised, a new logger object with its own prototype chain) is work done on every
 * request for the rare one that fails; this is one small object instead.
 */
import type { FastifyBaseLogger } from 'fastify';

type Bindings = Record<string, unknown>;
type LogFn = FastifyBaseLogger['info'];

class LazyChild {
  readonly #parent: FastifyBaseLogger | LazyChild;
  readonly #bindings: Bindings;
  readonly #options: object;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger | LazyChild, bindings: Bindings, options: object) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #real(): FastifyBaseLogger {
    // A lazy parent is made real first (its child() would answer another lazy child).
    const parent = this.#parent instanceof LazyChild ? this.#parent.#real() : this.#parent;
    return (this.#child ??= parent.child(this.#bindings, this.#options));
  }

  get level(): string {
    return this.#real().level;
  }
  set level(level: string) {
    this.#real().level = level;
  }
  get silent(): LogFn {
    return this.#real().silent;
  }
  fatal(...args: Parameters<LogFn>): void {
    this.#real().fatal(...args);
  }
  error(...args: Parameters<LogFn>): void {
    this.#real().error(...args);
  }
  warn(...args: Parameters<LogFn>): void {
    this.#real().warn(...args);
  }
  info(...args: Parameters<LogFn>): void {
    this.#real().info(...args);
  }
  debug(...args: Parameters<LogFn>): void {
    this.#real().debug(...args);
  }
  trace(...args: Parameters<LogFn>): void {
    this.#real().trace(...args);
  }
  child(bindings: Bindings, options?: object): FastifyBaseLogger {
    // Lazy too: Fastify gives a plugin registered with its own log options a child of the server's
    // logger (one of these), and makes every request's logger a child of that.
    return new LazyChild(this, bindings, options ?? {}) as unknown as FastifyBaseLogger;
  }
}

/** A {@link LazyChild} of `logger` with the request's bindings (Fastify's `childLoggerFactory` shape). */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Bindings, options: object): FastifyBaseLogger {
  return new LazyChild(logger, bindings, options) as unknown as FastifyBaseLogger;
}

/**
 * `logger` (logging through it unchanged) whose `child()` answers a {@link LazyChild}: given to
 * Fastify as its logger, every request's logger is lazy through Fastify's default child factory.
 * A `childLoggerFactory` of our own would do the same, but Fastify then checks the logger it
 * returns for its seven methods on every request.
 */
export function withLazyChildren(logger: FastifyBaseLogger): FastifyBaseLogger {
  // Inheriting from the logger is how pino makes its own children: methods, level and streams
  // are the logger's.
  const lazy = Object.create(logger) as FastifyBaseLogger;
  Object.defineProperty(lazy, 'child', { value: (bindings: Bindings, options?: object) => lazyChildLogger(logger, bindings, options ?? {}) });
  return lazy;
}
