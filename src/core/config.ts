/**
 * Loads the configuration once, at the edge: YAML file → environment overrides → defaults →
 * validation → normalised, frozen {@link Config}. A bad value stops start-up with a message that
 * names the key, the value and what was expected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Value } from '@sinclair/typebox/value';
import ms from 'ms';
import { parseDocument } from 'yaml';
import { validationError } from './errors.ts';
import { ConfigSchema, Destination, Source, type RawConfig } from './config-schema.ts';
import type { ConnectorsConfig, LeadToOrderSettings, ManufacturerSettings, SyncSettings } from './connectors-schema.ts';
import type { ValueError } from '@sinclair/typebox/value';
import type { StoreConfig } from '../store/store.ts';
import type { SignatureConfig } from '../security/webhook-signature.ts';
import { normaliseObservability, type ObservabilityConfig } from '../observability/config.ts';

/** How the event id of an inbound event is found. */
export type EventIdLocation = { header: string } | { path: string };

/** One route of a source: which destination, keyed how, transformed how. */
export interface RouteConfig {
  destination: string;
  key?: string | undefined;
  transform?: string | undefined;
  when?: string | undefined;
}

/** A webhook source (`POST /hooks/:source`). */
export interface SourceConfig {
  eventId: EventIdLocation;
  routes: readonly RouteConfig[];
  /** How the source signs its requests; absent = unsigned. */
  signature?: SignatureConfig | undefined;
}

/** Delivery policy of a destination. */
export interface DestinationConfig {
  url: string;
  method: 'POST' | 'PUT' | 'PATCH';
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  concurrency: number;
  rateLimit: { perSecond: number; burst: number } | null;
  retry: { maxAttempts: number; maxAgeMs: number; initialDelayMs: number; maxDelayMs: number };
  circuit: { failureThreshold: number; cooldownMs: number };
}

/** The validated, normalised configuration. Durations are milliseconds. */
export interface Config {
  server: { host: string; port: number; bodyLimit: number; maxHeaderSize: number; jsonDepth: number; requestTimeoutMs: number };
  store: StoreConfig;
  worker: { id: string; leaseMs: number; pollMs: number; batchSize: number };
  retention: { deliveredMs: number; processedMs: number; intervalMs: number };
  log: { level: string };
  admin: {
    token?: string | undefined;
    /** Per-API-key limits of the admin API. */
    limits: { rate: { perSecond: number; burst: number }; quota: { limit: number; windowSeconds: number } | null };
  };
  /** Outbound HTTP: what the SSRF guard lets through although it is not a public address. */
  outbound: { allow: readonly string[] };
  sources: Readonly<Record<string, SourceConfig>>;
  destinations: Readonly<Record<string, DestinationConfig>>;
  /** The story's systems; all four or none. */
  connectors: ConnectorsConfig;
  /** Business settings of the built-in flows. */
  flows: { leadToOrder: LeadToOrderSettings; manufacturer: ManufacturerSettings };
  /** Scheduled batch syncs. */
  sync: SyncSettings;
  /** Tracing, metrics and SLOs. */
  observability: ObservabilityConfig;
}

/** Environment variables that override single keys; the only ones read. */
export const ENV_OVERRIDES: Readonly<Record<string, string>> = {
  INTERLOCK_HOST: 'server.host',
  INTERLOCK_PORT: 'server.port',
  INTERLOCK_BODY_LIMIT: 'server.bodyLimit',
  INTERLOCK_STORE: 'store.kind',
  INTERLOCK_SQLITE_PATH: 'store.sqlite.path',
  INTERLOCK_PG_URL: 'store.postgres.url',
  INTERLOCK_PG_POOL_SIZE: 'store.postgres.poolSize',
  INTERLOCK_WORKER_ID: 'worker.id',
  INTERLOCK_LEASE: 'worker.lease',
  INTERLOCK_BATCH_SIZE: 'worker.batchSize',
  INTERLOCK_LOG_LEVEL: 'log.level',
  INTERLOCK_ADMIN_TOKEN: 'admin.token',
  INTERLOCK_TRACE_SAMPLE_RATIO: 'observability.sampleRatio',
};

/** Where the configuration comes from. */
export interface LoadOptions {
  /** YAML file; when absent, `interlock.yaml` in the working directory if it exists. */
  file?: string | undefined;
  /** Parsed YAML content to use instead of a file (tests, the demo). */
  values?: unknown;
  /** Environment to read overrides from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Loads, validates and freezes the configuration; throws a `validation` error naming the key. */
export function loadConfig(options: LoadOptions = {}): Config {
  const file = options.file ?? (existsSync('interlock.yaml') ? 'interlock.yaml' : undefined);
  const raw: Record<string, unknown> =
    options.values !== undefined ? structuredClone(options.values as Record<string, unknown>) : readYaml(file);
  applyEnv(raw, options.env ?? process.env);
  const where = file === undefined || options.values !== undefined ? 'config' : file;
  const withDefaults = Value.Default(ConfigSchema, raw) as Record<string, Record<string, unknown>>;
  // TypeBox does not descend into records for defaults: apply them to each entry.
  for (const [section, schema] of [['sources', Source], ['destinations', Destination]] as const) {
    for (const [name, entry] of Object.entries(withDefaults[section] ?? {})) {
      withDefaults[section]![name] = Value.Default(schema, entry);
    }
  }
  const first = Value.Errors(ConfigSchema, withDefaults).First();
  if (first !== undefined) {
    const key = first.path.slice(1).replaceAll('/', '.');
    throw validationError(`${where}: ${explain(key, first)}`, { details: { key, value: first.value } });
  }
  return deepFreeze(normalise(withDefaults as RawConfig, where));
}

function readYaml(file: string | undefined): Record<string, unknown> {
  if (file === undefined) return {};
  if (!existsSync(file)) throw validationError(`config file ${file} does not exist`);
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0];
    throw validationError(`${file}${line ? `:${line.line}:${line.col}` : ''}: ${e.message.split('\n')[0]}`);
  }
  const value = doc.toJS() as unknown;
  if (value == null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw validationError(`${file}: expected a mapping of keys at the top`);
  return value as Record<string, unknown>;
}

function applyEnv(raw: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): void {
  for (const [name, key] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const parts = key.split('.');
    let node = raw;
    for (const part of parts.slice(0, -1)) {
      if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    // Numbers arrive as strings from the environment; convert where the value is numeric text.
    node[parts.at(-1)!] = /^\d+(\.\d+)?$/.test(value) && !key.endsWith('.id') && !key.endsWith('.token') ? Number(value) : value;
  }
}

function normalise(raw: RawConfig, where: string): Config {
  const duration = (v: string | number, key: string): number => {
    if (typeof v === 'number') return v;
    const n = ms(v.replace(/\s+/g, '') as ms.StringValue);
    if (typeof n !== 'number' || !Number.isFinite(n)) throw validationError(`${where}: key "${key}" has "${v}"; expected a duration`);
    return n;
  };
  const worker = {
    id: raw.worker.id ?? `${hostname()}:${process.pid}`,
    leaseMs: duration(raw.worker.lease, 'worker.lease'),
    pollMs: duration(raw.worker.poll, 'worker.poll'),
    batchSize: raw.worker.batchSize,
  };
  const destinations: Record<string, DestinationConfig> = {};
  for (const [name, d] of Object.entries(raw.destinations)) {
    const timeoutMs = duration(d.timeout, `destinations.${name}.timeout`);
    // A worker must finish (or give up) an attempt while it still holds the lease, or a second
    // worker could deliver the same message at the same time.
    if (timeoutMs * 2 > worker.leaseMs) {
      throw validationError(
        `${where}: key "destinations.${name}.timeout" is ${timeoutMs}ms; expected at most half of worker.lease (${worker.leaseMs}ms)`,
      );
    }
    destinations[name] = {
      url: d.url,
      method: d.method,
      headers: d.headers,
      timeoutMs,
      concurrency: d.concurrency,
      rateLimit: d.rateLimit,
      retry: {
        maxAttempts: d.retry.maxAttempts,
        maxAgeMs: duration(d.retry.maxAge, `destinations.${name}.retry.maxAge`),
        initialDelayMs: duration(d.retry.initialDelay, `destinations.${name}.retry.initialDelay`),
        maxDelayMs: duration(d.retry.maxDelay, `destinations.${name}.retry.maxDelay`),
      },
      circuit: {
        failureThreshold: d.circuit.failureThreshold,
        cooldownMs: duration(d.circuit.cooldown, `destinations.${name}.circuit.cooldown`),
      },
    };
  }
  const sources: Record<string, SourceConfig> = {};
  for (const [name, s] of Object.entries(raw.sources)) {
    const { header, path } = s.eventId;
    if ((header === undefined) === (path === undefined)) {
      throw validationError(`${where}: key "sources.${name}.eventId" must have exactly one of "header" or "path"`);
    }
    s.routes.forEach((r, i) => {
      if (destinations[r.destination] === undefined) {
        throw validationError(
          `${where}: key "sources.${name}.routes.${i}.destination" is "${r.destination}"; expected one of the configured destinations (${Object.keys(destinations).join(', ') || 'none'})`,
        );
      }
    });
    const sig = s.signature;
    sources[name] = {
      eventId: header !== undefined ? { header: header.toLowerCase() } : { path: path! },
      routes: s.routes,
      ...(sig === undefined
        ? {}
        : {
            signature: {
              scheme: sig.scheme,
              secrets: sig.secrets,
              toleranceMs: duration(sig.tolerance ?? '5m', `sources.${name}.signature.tolerance`),
              ...(sig.publicUrl === undefined ? {} : { publicUrl: sig.publicUrl }),
            },
          }),
    };
  }
  return {
    server: {
      host: raw.server.host,
      port: raw.server.port,
      bodyLimit: raw.server.bodyLimit,
      maxHeaderSize: raw.server.maxHeaderSize,
      jsonDepth: raw.server.jsonDepth,
      requestTimeoutMs: duration(raw.server.requestTimeout, 'server.requestTimeout'),
    },
    store: {
      kind: raw.store.kind,
      sqlitePath: raw.store.sqlite.path,
      postgresUrl: raw.store.postgres.url,
      poolSize: raw.store.postgres.poolSize,
    },
    worker,
    retention: {
      deliveredMs: duration(raw.retention.delivered, 'retention.delivered'),
      processedMs: duration(raw.retention.processed, 'retention.processed'),
      intervalMs: duration(raw.retention.interval, 'retention.interval'),
    },
    log: raw.log,
    admin: {
      ...(raw.admin.token === undefined ? {} : { token: raw.admin.token }),
      limits: { rate: raw.admin.rateLimit, quota: raw.admin.quota },
    },
    outbound: { allow: raw.outbound.allow },
    sources,
    destinations,
    connectors: checkConnectors(raw.connectors, where),
    flows: raw.flows,
    sync: raw.sync,
    observability: normaliseObservability(raw.observability, where),
  };
}

const STORY_SYSTEMS = ['salesforce', 'netsuite', 'stripe', 'avalara'] as const;

const MANUFACTURER_SYSTEMS = ['dynamics', 'sap', 'avalara'] as const;

/**
 * A story's flows call all its systems: half a set is a mistake, not a choice. The first story is
 * Salesforce, NetSuite, Stripe and Avalara; the manufacturer's Dynamics 365, SAP and Avalara (SAP
 * alone serves the /v1 checks, Avalara is shared).
 */
function checkConnectors(connectors: ConnectorsConfig, where: string): ConnectorsConfig {
  const given = STORY_SYSTEMS.filter((s) => connectors[s] !== undefined);
  const firstStory = connectors.salesforce !== undefined || connectors.netsuite !== undefined || connectors.stripe !== undefined;
  if (firstStory && given.length < STORY_SYSTEMS.length) {
    const missing = STORY_SYSTEMS.filter((s) => connectors[s] === undefined);
    throw validationError(`${where}: key "connectors" has ${given.join(', ')} but not ${missing.join(', ')}; the lead-to-order flows need all four systems`);
  }
  const sf = connectors.salesforce;
  if (sf !== undefined && sf.clientSecret === undefined && (sf.username === undefined || sf.privateKey === undefined)) {
    throw validationError(`${where}: key "connectors.salesforce" needs clientSecret (client credentials) or username and privateKey (JWT bearer)`);
  }
  if (connectors.dynamics !== undefined) {
    const missing = MANUFACTURER_SYSTEMS.filter((s) => connectors[s] === undefined);
    if (missing.length > 0) {
      throw validationError(`${where}: key "connectors.dynamics" is set but not ${missing.map((m) => `connectors.${m}`).join(', ')}; the manufacturer flows need Dynamics 365, SAP S/4HANA and Avalara`);
    }
  }
  const sap = connectors.sap;
  if (sap !== undefined && !((sap.username !== undefined && sap.password !== undefined) || (sap.clientId !== undefined && sap.clientSecret !== undefined))) {
    throw validationError(`${where}: key "connectors.sap" needs username and password (Basic) or clientId and clientSecret (OAuth client credentials)`);
  }
  return connectors;
}

/** One sentence naming the key, the value found and what was expected. */
function explain(key: string, error: ValueError): string {
  if (error.message === 'Unexpected property') return `unknown key "${key}"`;
  if (error.value === undefined) return `key "${key}" is missing`;
  return `key "${key}" has ${JSON.stringify(error.value)}; expected ${expectation(error.schema)}`;
}

function expectation(schema: Record<string, unknown>): string {
  const anyOf = schema.anyOf as Array<Record<string, unknown>> | undefined;
  if (anyOf?.every((s) => 'const' in s)) return `one of ${anyOf.map((s) => JSON.stringify(s.const)).join(', ')}`;
  if (anyOf !== undefined) return anyOf.map(expectation).join(' or ');
  const range = [
    schema.minimum !== undefined ? `≥ ${String(schema.minimum)}` : '',
    schema.exclusiveMinimum !== undefined ? `> ${String(schema.exclusiveMinimum)}` : '',
    schema.maximum !== undefined ? `≤ ${String(schema.maximum)}` : '',
  ].filter(Boolean).join(' and ');
  switch (schema.type) {
    case 'integer':
      return `an integer${range ? ` ${range}` : ''}`;
    case 'number':
      return `a number${range ? ` ${range}` : ''}`;
    case 'string':
      if (typeof schema.pattern === 'string' && schema.pattern.includes('ms|s|m|h|d')) return 'a duration such as "30s"';
      return typeof schema.pattern === 'string' ? `text matching /${schema.pattern}/` : 'text';
    case 'object':
      return 'a mapping of keys';
    case 'array':
      return 'a list';
    case 'null':
      return 'null';
    default:
      return String(schema.type ?? 'another value');
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
