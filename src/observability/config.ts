/**
 * The `observability` section of the configuration: tracing (on or off, OTLP export), metrics,
 * and the SLOs, each checked and normalised once at start-up like the rest of the config.
 */
import { Type, type Static } from '@sinclair/typebox';
import ms from 'ms';
import { validationError } from '../core/errors.ts';

const Duration = (description: string) =>
  Type.Union([Type.String({ pattern: '^\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)$' }), Type.Integer({ minimum: 1 })], {
    description: `${description} A duration such as "15m" or "28d", or milliseconds.`,
  });

const LatencySli = Type.Object(
  {
    kind: Type.Literal('latency'),
    event: Type.Literal('closed-won-to-erp', { description: 'Which latency: a closed-won deal until its ERP sales order exists.' }),
    threshold: Duration('An event is good when it takes at most this long.'),
  },
  { additionalProperties: false },
);

const RatioSli = Type.Object(
  {
    kind: Type.Literal('ratio'),
    event: Type.Union([Type.Literal('order-acceptance'), Type.Literal('delivery-success'), Type.Literal('run-success')], {
      description: 'order-acceptance: closed-won deals booked / decided; delivery-success: delivered / delivered or dead; run-success: completed runs / ended runs.',
    }),
  },
  { additionalProperties: false },
);

const Slo = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$' }),
    description: Type.String({ default: '' }),
    objective: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'Share of good events, e.g. 0.95.' }),
    window: Duration('The rolling window the objective holds over.'),
    sli: Type.Union([LatencySli, RatioSli]),
  },
  { additionalProperties: false },
);

/** The schema of `observability`. */
export const ObservabilitySchema = Type.Object(
  {
    serviceName: Type.String({ minLength: 1, default: 'interlock', description: 'service.name of the traces.' }),
    tracing: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on', description: 'Record spans (kept in memory for lineage timelines, exported when otlp is set).' }),
    sampleRatio: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 1,
      description: 'Share of new traces recorded and exported, decided from the trace id (1 = every one). A trace continued from a caller\'s traceparent follows the caller\'s decision. Unrecorded traces still carry their traceparent and trace id into the journal.',
    }),
    keepSpans: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: 'Recent spans kept in memory so lineage timelines show vendor calls; 0 = the journal is the timeline (holding spans costs CPU in garbage collection).' }),
    metrics: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on', description: 'Serve GET /metrics and count engine and vendor activity.' }),
    otlp: Type.Optional(
      Type.Object(
        {
          url: Type.String({ pattern: '^https?://', description: 'OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces.' }),
          headers: Type.Record(Type.String(), Type.String(), { default: {} }),
        },
        { additionalProperties: false },
      ),
    ),
    slos: Type.Array(Slo, { default: [] }),
  },
  { additionalProperties: false, default: {} },
);

/** An SLI as evaluated: latency with its threshold in ms, or a named ratio. */
export type SliSpec = { kind: 'latency'; event: 'closed-won-to-erp'; thresholdMs: number } | { kind: 'ratio'; event: 'order-acceptance' | 'delivery-success' | 'run-success' };

/** One declared SLO. */
export interface SloSpec {
  name: string;
  description: string;
  objective: number;
  /** As written, e.g. `28d`, for display. */
  window: string;
  windowMs: number;
  sli: SliSpec;
}

/** The normalised `observability` section. */
export interface ObservabilityConfig {
  serviceName: string;
  tracing: boolean;
  /** Share of new traces recorded (0 to 1). */
  sampleRatio: number;
  /** Spans held in memory for lineage timelines (0 = none). */
  keepSpans: number;
  metrics: boolean;
  otlp: { url: string; headers: Readonly<Record<string, string>> } | undefined;
  slos: readonly SloSpec[];
}

/** Normalises the validated section; `where` names the file in messages. */
export function normaliseObservability(raw: Static<typeof ObservabilitySchema>, where: string): ObservabilityConfig {
  const duration = (v: string | number, key: string): number => {
    if (typeof v === 'number') return v;
    const n = ms(v.replace(/\s+/g, '') as ms.StringValue);
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw validationError(`${where}: key "${key}" has "${v}"; expected a duration`);
    return n;
  };
  const names = new Set<string>();
  const slos = raw.slos.map((s, i): SloSpec => {
    if (names.has(s.name)) throw validationError(`${where}: key "observability.slos.${i}.name" repeats "${s.name}"; SLO names must be unique`);
    names.add(s.name);
    const sli: SliSpec = s.sli.kind === 'latency' ? { kind: 'latency', event: s.sli.event, thresholdMs: duration(s.sli.threshold, `observability.slos.${i}.sli.threshold`) } : { kind: 'ratio', event: s.sli.event };
    return { name: s.name, description: s.description, objective: s.objective, window: String(s.window), windowMs: duration(s.window, `observability.slos.${i}.window`), sli };
  });
  return { serviceName: raw.serviceName, tracing: raw.tracing === 'on', sampleRatio: raw.sampleRatio, keepSpans: raw.keepSpans, metrics: raw.metrics === 'on', otlp: raw.otlp, slos };
}

/** The section with every default: what code without a config (tests, tools) uses. */
export const DEFAULT_OBSERVABILITY: ObservabilityConfig = { serviceName: 'interlock', tracing: true, sampleRatio: 1, keepSpans: 0, metrics: true, otlp: undefined, slos: [] };
