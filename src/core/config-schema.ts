/**
 * The configuration schema: every key, its type, default and meaning, in one place. The YAML
 * file (`interlock.yaml`, or `--config`) is validated against it once at start-up; environment
 * variables override single keys (see `ENV_OVERRIDES` in `config.ts`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { ObservabilitySchema } from '../observability/config.ts';
import { ConnectorsSchema, LeadToOrderSchema, ManufacturerSchema, SyncSchema } from './connectors-schema.ts';

const Duration = (def: string, description: string) =>
  Type.Union([Type.String({ pattern: '^\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)$' }), Type.Integer({ minimum: 0 })], {
    default: def,
    description: `${description} A duration such as "500ms", "30s", "5m", "7d", or milliseconds.`,
  });

/** How the event id of a source is found: a request header, or a dotted path into the JSON body. */
const EventIdSpec = Type.Object(
  {
    header: Type.Optional(Type.String({ minLength: 1, description: 'Header holding the event id.' })),
    path: Type.Optional(Type.String({ minLength: 1, description: 'Dotted path of the event id in the JSON body.' })),
  },
  { additionalProperties: false },
);

const Route = Type.Object(
  {
    destination: Type.String({ minLength: 1, description: 'Name of a configured destination.' }),
    key: Type.Optional(
      Type.String({ minLength: 1, description: 'Dotted body path of the business key; same key → delivered in order.' }),
    ),
    transform: Type.Optional(
      Type.String({ minLength: 1, description: 'JSONata expression producing the outbound payload from the event.' }),
    ),
    when: Type.Optional(Type.String({ minLength: 1, description: 'JSONata condition; the route applies when true.' })),
  },
  { additionalProperties: false },
);

/** How a source signs its webhooks; a request that fails the check is refused with 401. */
const Signature = Type.Object(
  {
    scheme: Type.Union([Type.Literal('stripe'), Type.Literal('hubspot-v3'), Type.Literal('standard-webhooks')], {
      description: 'Stripe-Signature, HubSpot X-HubSpot-Signature-v3, or Standard Webhooks (webhook-signature).',
    }),
    secrets: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'Signing secrets (or secret://name references); several during a rotation.',
    }),
    tolerance: Type.Optional(Duration('5m', 'Largest clock difference accepted (each scheme documents five minutes).')),
    publicUrl: Type.Optional(
      Type.String({ pattern: '^https?://', description: 'hubspot-v3: public base URL HubSpot calls (the signed URI); default from the Host header.' }),
    ),
  },
  { additionalProperties: false },
);

/** One webhook source. */
export const Source = Type.Object(
  {
    eventId: EventIdSpec,
    routes: Type.Array(Route, { default: [] }),
    signature: Type.Optional(Signature),
  },
  { additionalProperties: false },
);

const Retry = Type.Object(
  {
    maxAttempts: Type.Integer({ minimum: 1, default: 8, description: 'Attempts before a message is parked.' }),
    maxAge: Duration('24h', 'Age after which a failing message is parked whatever its attempts.'),
    initialDelay: Duration('500ms', 'Backoff cap of the first retry; doubles each attempt (full jitter).'),
    maxDelay: Duration('10m', 'Largest backoff between two attempts.'),
  },
  { additionalProperties: false, default: {} },
);

/** One delivery destination. */
export const Destination = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'Where messages are delivered.' }),
    method: Type.Union([Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('PATCH')], { default: 'POST' }),
    headers: Type.Record(Type.String(), Type.String(), { default: {} }),
    timeout: Duration('10s', 'Per-attempt timeout; must be shorter than worker.lease.'),
    concurrency: Type.Integer({ minimum: 1, default: 16, description: 'Deliveries in flight, across all workers.' }),
    rateLimit: Type.Union(
      [
        Type.Object(
          {
            perSecond: Type.Number({ exclusiveMinimum: 0 }),
            burst: Type.Integer({ minimum: 1 }),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { default: null, description: 'Token bucket shared by all workers; null = unlimited.' },
    ),
    retry: Retry,
    circuit: Type.Object(
      {
        failureThreshold: Type.Integer({ minimum: 1, default: 10 }),
        cooldown: Duration('30s', 'How long the circuit stays open before a half-open probe.'),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

/** The whole configuration. */
export const ConfigSchema = Type.Object(
  {
    server: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
        bodyLimit: Type.Integer({ minimum: 1024, default: 1_048_576, description: 'Largest request body, bytes.' }),
        maxHeaderSize: Type.Integer({ minimum: 1024, default: 16_384, description: 'Largest request head (all headers), bytes.' }),
        jsonDepth: Type.Integer({ minimum: 1, maximum: 1000, default: 64, description: 'Deepest JSON nesting accepted in a request body.' }),
        requestTimeout: Duration('30s', 'Time a client has to send a whole request.'),
      },
      { additionalProperties: false, default: {} },
    ),
    store: Type.Object(
      {
        kind: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')], { default: 'sqlite' }),
        sqlite: Type.Object(
          { path: Type.String({ minLength: 1, default: './data/interlock.db' }) },
          { additionalProperties: false, default: {} },
        ),
        postgres: Type.Object(
          {
            url: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
            poolSize: Type.Integer({ minimum: 1, default: 10 }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    worker: Type.Object(
      {
        id: Type.Optional(Type.String({ minLength: 1, description: 'Worker identity in leases; default host:pid.' })),
        lease: Duration('30s', 'How long claimed work stays reserved for a worker that may have died.'),
        poll: Duration('1s', 'Idle poll interval (wake-ups make it rarely matter).'),
        batchSize: Type.Integer({ minimum: 1, maximum: 5000, default: 256 }),
      },
      { additionalProperties: false, default: {} },
    ),
    retention: Type.Object(
      {
        delivered: Duration('7d', 'Delivered messages are pruned after this.'),
        processed: Duration('7d', 'Processed inbox rows (the duplicate-detection window) are pruned after this.'),
        interval: Duration('1h', 'How often pruning runs.'),
      },
      { additionalProperties: false, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    admin: Type.Object(
      {
        token: Type.Optional(
          Type.String({ minLength: 16, description: 'Bootstrap bearer token with the admin role; with no token and no API key the admin API answers loopback only.' }),
        ),
        rateLimit: Type.Object(
          {
            perSecond: Type.Number({ exclusiveMinimum: 0, default: 20, description: 'Sustained requests per second per API key.' }),
            burst: Type.Integer({ minimum: 1, default: 100, description: 'Requests a key may make at once above the rate.' }),
          },
          { additionalProperties: false, default: {} },
        ),
        quota: Type.Union(
          [Type.Object({ limit: Type.Integer({ minimum: 1 }), windowSeconds: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }), Type.Null()],
          { default: null, description: 'At most `limit` requests per key per window; null = no quota.' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    outbound: Type.Object(
      {
        allow: Type.Array(Type.String({ minLength: 1 }), {
          default: [],
          description:
            'Hosts, addresses or CIDRs that outbound HTTP may reach although they are loopback, private or link-local (the SSRF guard refuses those otherwise).',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    sources: Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$' }), Source, { default: {} }),
    destinations: Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$' }), Destination, { default: {} }),
    connectors: ConnectorsSchema,
    flows: Type.Object({ leadToOrder: LeadToOrderSchema, manufacturer: ManufacturerSchema }, { additionalProperties: false, default: {} }),
    sync: SyncSchema,
    observability: ObservabilitySchema,
  },
  { additionalProperties: false },
);

/** The configuration as written (durations may be strings). */
export type RawConfig = Static<typeof ConfigSchema>;
