/**
 * The contract every sandbox shares: how it is started, what a running one offers, and the fault
 * settings that the admin endpoint and the start options both speak. A vendor's folder exports
 * one {@link SandboxFactory}; the registry (`../registry.ts`) lists them.
 */
import type { FaultController } from './fault-controller.ts';

/** What every sandbox module exports as its factory. */
export interface SandboxFactory {
  /** Short vendor name, used in URLs, CLI flags and the ready line, e.g. `stripe`. */
  readonly name: string;
  /** Starts one sandbox server and resolves once it is listening. */
  start(options?: SandboxStartOptions): Promise<SandboxInstance>;
}

/** Options for {@link SandboxFactory.start}. */
export interface SandboxStartOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** Load the demo data set (accounts, products, prices, open opportunities…). @default false */
  seed?: boolean;
  /** Keep state in this SQLite file (node:sqlite) so a demo survives a restart. @default in memory */
  statePath?: string;
  /** Faults to apply from the start; the rest keep their defaults (no faults). */
  faults?: Partial<FaultSettings>;
}

/** A running sandbox. */
export interface SandboxInstance {
  /** The factory's name. */
  readonly name: string;
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** The live fault settings of this sandbox. */
  readonly faults: FaultController;
  /** Empties the state (re-seeding when started with `seed`) and clears faults. */
  reset(): Promise<void>;
  /** Stops listening, stops pending deliveries and closes the state file. */
  close(): Promise<void>;
}

/** The faults a sandbox can inject; the defaults inject none. */
export interface FaultSettings {
  /** Milliseconds added to every vendor request. */
  latencyMs: number;
  /** 0..1: fraction of requests answered 5xx with the vendor's error body. */
  errorRate: number;
  /** The next `burst` requests answer the vendor's 429 (with its headers); null = off. */
  rateLimit: { burst: number } | null;
  /** Every request answers 503 (vendor shape) until turned off. */
  maintenance: boolean;
  /** 0..1: the request is processed and committed, then the connection is destroyed unanswered. */
  dropResponseRate: number;
  /** 0..1: outbound webhooks/events delivered twice. */
  duplicateEventRate: number;
  /** Outbound webhooks/events are held and delivered in shuffled order. */
  outOfOrderEvents: boolean;
  /** Access tokens issued expire after this many seconds (null = vendor default). */
  tokenTtlSeconds: number | null;
}

/** The kinds of failure a fault produces; each vendor renders them in its own shape. */
export type FaultErrorKind = 'server' | 'rate-limited' | 'maintenance';

/** A complete HTTP answer in the vendor's shape. */
export interface RenderedError {
  /** HTTP status, e.g. 500, 429, 503. */
  status: number;
  /** Extra headers, e.g. `Retry-After`. */
  headers: Record<string, string>;
  /** The body, serialised as JSON (or sent as is when a string). */
  body: unknown;
}

/** Renders an injected fault as the vendor would answer it. */
export type RenderError = (kind: FaultErrorKind) => RenderedError;
