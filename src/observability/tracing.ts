/**
 * Tracing with OpenTelemetry: one trace per inbound event or run, spans for the inbox, routing,
 * delivery, each flow step, mappings and every vendor call, and the W3C `traceparent` carried on
 * outbound calls and kept in the store (inbox and outbox headers, runs, journal entries) so that
 * work resumed later — by another worker, after a restart — joins the same trace.
 *
 * Off (the default until {@link startTracing}), every helper here is a plain call: no context
 * switch, no span object, no header.
 */
import { context, isSpanContextValid, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, Span as SdkSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { ObservabilityConfig } from './config.ts';
import { LeanTracerProvider, remoteParentContext, type LeanTracer } from './lean-tracer.ts';
import { OtlpSpanProcessor } from './otlp-export.ts';
import { RecentSpans } from './recent-spans.ts';

/** A span as {@link inSpan} hands it to its function. */
export type { Span };

const w3c = new W3CTraceContextPropagator();
const getter = {
  get: (carrier: Record<string, string>, key: string) => carrier[key],
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
};

/**
 * Fans spans out to processors that can be added and removed while the provider stays registered
 * (it can be registered once per process). Kept as arrays, rebuilt on change: spans are many and
 * changes few. Interlock's own processors do nothing at a span's start and are not called then.
 */
class FanOut implements SpanProcessor {
  #all: SpanProcessor[] = [];
  #starters: SpanProcessor[] = [];

  /** Adds `p`; `atStart: false` when its `onStart` does nothing. */
  add(p: SpanProcessor, atStart: boolean): void {
    this.#all = [...this.#all, p];
    if (atStart) this.#starters = [...this.#starters, p];
  }

  delete(p: SpanProcessor): void {
    this.#all = this.#all.filter((q) => q !== p);
    this.#starters = this.#starters.filter((q) => q !== p);
  }

  onStart(span: SdkSpan, parent: Context): void {
    for (const p of this.#starters) p.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    for (const p of this.#all) p.onEnd(span);
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.#all.map((p) => p.forceFlush()));
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.#all.map((p) => p.shutdown()));
  }
}

const fanOut = new FanOut();
/** Registered once per process, at the first start. */
let provider: LeanTracerProvider | undefined;
let active = 0;

/** Spans of recent traces held in memory (config `keepSpans`), which lineage timelines read. */
let recent: RecentSpans | undefined;

/** The held spans of `traceId` as timeline entries; none when spans are not kept. */
export function recentSpansOf(traceId: string): ReturnType<RecentSpans['spansOf']> {
  return recent?.spansOf(traceId) ?? [];
}

/** Whether spans are being recorded in this process. */
export function tracingOn(): boolean {
  return active > 0;
}

/** A running tracing set-up; `stop` flushes the exporter and removes its processors. */
export interface TracingHandle {
  stop(): Promise<void>;
}

/**
 * Starts recording spans per `config` (OTLP export when `otlp` is set); `extra` processors
 * (tests: an in-memory exporter) receive every span too. Nothing happens when tracing is off.
 */
export function startTracing(config: Pick<ObservabilityConfig, 'tracing' | 'otlp' | 'serviceName'> & { keepSpans?: number; sampleRatio?: number }, extra: readonly SpanProcessor[] = []): TracingHandle {
  if (!config.tracing) return { stop: async () => {} };
  if (provider === undefined) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    // The lean tracer records the same spans as the SDK's with a fraction of its per-span work (see lean-tracer.ts).
    provider = new LeanTracerProvider({ resource: resourceFromAttributes({ 'service.name': config.serviceName }), processor: fanOut });
    trace.setGlobalTracerProvider(provider);
    lean = provider.getTracer('interlock');
  }
  // The latest start's ratio holds (a process has one configuration; tests start several in turn).
  provider.sampleRatio = config.sampleRatio ?? 1;
  const mine: SpanProcessor[] = [...extra];
  // Encoded as each span ends, not held until its batch leaves (see otlp-export.ts).
  if (config.otlp !== undefined) mine.push(new OtlpSpanProcessor({ url: config.otlp.url, headers: config.otlp.headers }));
  // Holding spans costs the garbage collector more than making them: only when asked for.
  if (recent === undefined && (config.keepSpans ?? 0) > 0) {
    recent = new RecentSpans(config.keepSpans);
    mine.push(recent);
  }
  // Those given are called at each span's start; Interlock's own do nothing then.
  mine.forEach((p, i) => fanOut.add(p, i < extra.length));
  active += 1;
  let stopped = false;
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(mine.map((p) => p.forceFlush()));
      for (const p of mine) fanOut.delete(p);
      await Promise.all(mine.map((p) => p.shutdown()));
      active -= 1;
      if (recent !== undefined && mine.includes(recent)) recent = undefined;
    },
  };
}

const tracer = trace.getTracer('interlock');
/** The registered tracer itself, which {@link inSpan} calls without the API's proxy in between. */
let lean: LeanTracer | undefined;

/** Options of {@link inSpan}. */
export interface SpanOptions {
  /** Parent context; the active one by default. */
  parent?: Context | undefined;
  kind?: 'internal' | 'client' | 'server' | 'producer' | 'consumer';
  attributes?: Attributes;
  /**
   * Nothing `fn` runs starts a span or reads the active trace (it passes `span` on itself, e.g. as
   * `traceparent`): the span is then not made the active one, which spares a context and an
   * async-context switch carried through all of `fn`'s async work (a delivery: a dozen hops).
   */
  leaf?: boolean;
}

const KINDS = { internal: SpanKind.INTERNAL, client: SpanKind.CLIENT, server: SpanKind.SERVER, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER };

/**
 * Runs `fn` inside a span named `name` (a child of the active span, or of `options.parent`); a
 * throw marks the span as an error. With tracing off, `fn` runs with no span (`undefined`).
 */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span | undefined) => Promise<T> | T): Promise<T> {
  if (active === 0) return fn(undefined);
  const parent = options.parent ?? context.active();
  const kind = KINDS[options.kind ?? 'internal'];
  const span = lean === undefined ? tracer.startSpan(name, { kind, attributes: options.attributes }, parent) : lean.record(name, kind, options.attributes, parent);
  try {
    return await (options.leaf === true ? fn(span) : context.with(trace.setSpan(parent, span), fn, undefined, span));
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message?.slice(0, 300) ?? String(err) });
    throw err;
  } finally {
    span.end();
  }
}

/** Runs `fn` with the trace of `traceparent` active but no span of its own (what it starts joins that trace). */
export function inContext<T>(traceparent: string, fn: () => T): T {
  return active === 0 ? fn() : context.with(contextOf(traceparent), fn);
}

/** Marks `span` (when there is one) as failed with `message`. */
export function failSpan(span: Span | undefined, message: string): void {
  span?.setStatus({ code: SpanStatusCode.ERROR, message: message.slice(0, 300) });
}

/** The `traceparent` of the active span (or of `ctx`), or undefined when there is none. */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  if (active === 0) return undefined;
  const sc = trace.getSpanContext(ctx);
  return sc === undefined || !isSpanContextValid(sc) ? undefined : formatTraceparent(sc);
}

/** W3C `traceparent` (version 00) of `sc`; formatted here rather than through the propagator's carrier object. */
function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-0${(sc.traceFlags & 1).toString()}`;
}

/** Trace id of the active span, or null. */
export function currentTraceId(): string | null {
  if (active === 0) return null;
  return trace.getSpanContext(context.active())?.traceId ?? null;
}

/** Adds `traceparent` of the active span to `headers` (a copy); `headers` itself when there is none. */
export function withTraceparent<H extends Record<string, string>>(headers: H): H {
  const tp = currentTraceparent();
  return tp === undefined ? headers : { ...headers, traceparent: tp };
}

/** The context a stored `traceparent` continues (the root context when it is absent or malformed). */
export function contextOf(traceparent: string | null | undefined): Context {
  if (active === 0 || traceparent === null || traceparent === undefined) return ROOT_CONTEXT;
  // What Interlock itself wrote (version 00, lowercase) is read directly; anything else goes through the W3C propagator.
  if (!isTraceparent00(traceparent)) return w3c.extract(ROOT_CONTEXT, { traceparent }, getter);
  const traceId = traceparent.slice(3, 35);
  const spanId = traceparent.slice(36, 52);
  // The hex is checked; all zeros is what W3C calls invalid.
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return ROOT_CONTEXT;
  const traceFlags = (HEX[traceparent.charCodeAt(53)]! << 4) | HEX[traceparent.charCodeAt(54)]!;
  return remoteParentContext({ traceId, spanId, traceFlags, isRemote: true });
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Lowercase hex digits' values by character code (below 128); 255 for anything else. */
const HEX = new Uint8Array(128).fill(255);
for (let c = 0; c < 16; c++) HEX['0123456789abcdef'.charCodeAt(c)] = c;

/** Whether `tp` reads `00-<32 hex>-<16 hex>-<2 hex>` in lowercase: checked by character, which costs less than a pattern's match and groups. */
function isTraceparent00(tp: string): boolean {
  if (tp.length !== 55 || tp.charCodeAt(0) !== 48 || tp.charCodeAt(1) !== 48 || tp.charCodeAt(2) !== 45 || tp.charCodeAt(35) !== 45 || tp.charCodeAt(52) !== 45) return false;
  for (let i = 3; i < 55; i++) {
    if (i === 35 || i === 52) continue;
    const c = tp.charCodeAt(i);
    if (c > 127 || HEX[c] === 255) return false;
  }
  return true;
}

/**
 * The `traceparent` a new run records: the active span's when the run is started from within a
 * trace (an inbound event, an API call), else that of a fresh root span "run <flow>", so every
 * run has its own trace. Undefined with tracing off.
 */
export function traceparentForRun(flow: string, key: string): string | undefined {
  if (active === 0) return undefined;
  const here = currentTraceparent();
  if (here !== undefined) return here;
  const root = tracer.startSpan(`start ${flow}`, { attributes: { 'interlock.flow': flow, 'interlock.key': key } }, ROOT_CONTEXT);
  root.end();
  return currentTraceparent(trace.setSpan(ROOT_CONTEXT, root));
}

/** Trace id in a `traceparent`, or null. */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  const m = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent ?? '');
  return m?.[1] ?? null;
}

/** The `traceparent` naming `span` itself (what a callee continues from), or undefined without a span. */
export function traceparentOfSpan(span: Span | undefined): string | undefined {
  return span === undefined ? undefined : formatTraceparent(span.spanContext());
}
