/**
 * The tracer Interlock registers: the OpenTelemetry API's `Tracer`, whose spans are the SDK's
 * `ReadableSpan`s handed to `SpanProcessor`s (the OTLP export, recent spans, tests' in-memory
 * exporter), recorded with only the work those need.
 *
 * Why not the SDK's Tracer: the pipeline starts three spans per event, and per span the SDK cleans
 * the attributes twice (an entries array each), records its own span metrics (two attribute objects
 * and a closure, into a no-op meter unless one is configured), checks the parent's ids with regular
 * expressions, and asks a sampler for a result object. Measured on the pipeline (bench/observability.ts)
 * that per-span work was about a third of tracing's CPU; see the commit for the figures.
 *
 * What it keeps of the SDK's behaviour: its parent-based sampling (a child follows its parent's
 * sampled flag; a root is sampled, or with a ratio below 1 decided from its trace id, see
 * {@link sampledRoot}), its default limits (128 attributes, events and links per span),
 * attribute validation (core's `cleanAttributes` / `maybeAddAttribute`), `suppressTracing`,
 * the span methods' rules (status, double end, ended spans), and the same fields for processors.
 */
import { randomFillSync } from 'node:crypto';
import {
  context as apiContext, diag, INVALID_SPAN_CONTEXT, isSpanContextValid, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags,
  type Attributes, type AttributeValue, type Context, type Exception, type HrTime, type Link, type Span, type SpanContext, type SpanOptions, type SpanStatus,
  type TimeInput, type Tracer, type TracerProvider,
} from '@opentelemetry/api';
import { AddAttributeDecision, cleanAttributes, cleanSimpleAttributes, hrTimeDuration, isTimeInput, isTracingSuppressed, maybeAddAttribute, timeInputToHrTime } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';

/** The SDK's default span limits. */
const LIMITS = { attributeCountLimit: 128, attributeValueLengthLimit: Infinity };
const EVENT_LIMIT = 128;
const LINK_LIMIT = 128;

/** The key the API keeps a context's span under (not exported): learnt once through the public `trace.setSpan`. */
const SPAN_KEY: symbol = (() => {
  let key: symbol | undefined;
  const spy: Context = {
    getValue: () => undefined,
    setValue: (k) => {
      key = k;
      return spy;
    },
    deleteValue: () => spy,
  };
  trace.setSpan(spy, trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  return key!;
})();

/**
 * The context of a remote parent, as `trace.setSpanContext(ROOT_CONTEXT, parent)` would make it,
 * without the span wrapper and the map copy until something other than this tracer asks.
 */
class RemoteParent implements Context {
  readonly parent: SpanContext;
  #span: Span | undefined;

  constructor(parent: SpanContext) {
    this.parent = parent;
  }

  getValue(key: symbol): unknown {
    return key === SPAN_KEY ? (this.#span ??= trace.wrapSpanContext(this.parent)) : undefined;
  }

  setValue(key: symbol, value: unknown): Context {
    return ROOT_CONTEXT.setValue(SPAN_KEY, this.getValue(SPAN_KEY)).setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return key === SPAN_KEY ? ROOT_CONTEXT : this;
  }
}

/** The context continuing `parent` (a valid span context: the caller checked it). */
export function remoteParentContext(parent: SpanContext): Context {
  return new RemoteParent(parent);
}

/**
 * Random ids cut from a pool the CSPRNG fills 8 kB at a time, turned into hex in one native call
 * per fill (ids are slices of that text: no call and no copy per id).
 */
const pool = Buffer.allocUnsafe(8192);
let poolHex = '';
let poolAt = pool.length;

function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    randomFillSync(pool);
    poolHex = pool.toString('hex');
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += bytes;
  // All zeros is an invalid id (one chance in 2^64 for a span id).
  for (let i = at; i < poolAt; i++) if (pool[i] !== 0) return poolHex.slice(at * 2, poolAt * 2);
  return randomHex(bytes);
}

/**
 * Whether a new trace with `traceId` is recorded at `ratio` (0 to 1): decided as OpenTelemetry's
 * consistent probability sampling does, from the random bits W3C Trace Context level 2 puts at the
 * end of the id, against the rejection threshold (1 − ratio) of their range. The first 52 of those
 * 56 bits are read (exact in a double, no BigInt per trace). The same id gets the same answer in
 * every process, and a higher ratio keeps every trace a lower one keeps.
 */
export function sampledRoot(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  return Number.parseInt(traceId.slice(18, 31), 16) >= (1 - ratio) * 2 ** 52;
}

/** Wall-clock now as `[seconds, nanoseconds]`: the time origin plus the monotonic clock, as the SDK takes it. */
const ORIGIN_S = Math.floor(performance.timeOrigin / 1000);
const ORIGIN_NS = Math.round((performance.timeOrigin - ORIGIN_S * 1000) * 1e6);

function now(): HrTime {
  const t = performance.now();
  const s = Math.floor(t / 1000);
  let ns = ORIGIN_NS + Math.round((t - s * 1000) * 1e6);
  let sec = ORIGIN_S + s;
  if (ns >= 1e9) {
    sec += 1;
    ns -= 1e9;
  }
  return [sec, ns];
}

/** A span's attributes at its start, and how many of those given were dropped. */
interface StartAttributes {
  attributes: Attributes;
  count: number;
  dropped: number;
}

/** Attributes as given when every value is a primitive (the usual case): copied with no entries arrays; else as the SDK cleans them. */
function startAttributes(given: Attributes | undefined, into: StartAttributes): void {
  const attributes: Attributes = {};
  into.attributes = attributes;
  into.count = 0;
  into.dropped = 0;
  if (given === undefined) return;
  let count = 0;
  for (const key in given) {
    const v = given[key];
    const t = typeof v;
    if ((t !== 'string' && t !== 'number' && t !== 'boolean') || key.length === 0 || ++count > LIMITS.attributeCountLimit) {
      const clean = cleanAttributes(given, LIMITS);
      into.attributes = clean.attributes ?? {};
      into.count = Object.keys(into.attributes).length;
      into.dropped = clean.droppedAttributesCount ?? 0;
      return;
    }
    attributes[key] = v;
  }
  into.count = count;
}

/**
 * What a span holds until it gets its own. Most spans get no event, link or status and are never
 * asked for their duration: they share these instead of four small objects each (frozen, so that
 * nothing writes into them; a span replaces them when it gets its own).
 */
const NONE = Object.freeze([]) as unknown as never[];
const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const NOT_ENDED: HrTime = Object.freeze([0, 0]) as unknown as HrTime;
const NO_DURATION: HrTime = Object.freeze([-1, -1]) as unknown as HrTime;

/** Reused by each span's constructor: read into the span's own fields at once. */
const scratch: StartAttributes = { attributes: {}, count: 0, dropped: 0 };

/** A recorded span: what the API's callers use and what span processors read. */
class LeanSpan implements Span, ReadableSpan {
  name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  endTime: HrTime = NOT_ENDED;
  status: SpanStatus = UNSET;
  readonly attributes: Attributes;
  links: Link[] = NONE;
  events: TimedEvent[] = NONE;
  readonly resource: Resource;
  readonly instrumentationScope: LeanTracer['scope'];
  #context: SpanContext;
  #processor: SpanProcessor;
  #ended = false;
  #duration: HrTime = NO_DURATION;
  #attributeCount: number;
  #droppedAttributes: number;
  #droppedEvents = 0;
  #droppedLinks = 0;

  constructor(tracer: LeanTracer, name: string, kind: SpanKind, spanContext: SpanContext, parent: SpanContext | undefined, attributes: Attributes | undefined, startTime: TimeInput | undefined, links: Link[] | undefined) {
    this.name = name;
    this.kind = kind;
    this.#context = spanContext;
    this.parentSpanContext = parent;
    this.startTime = startTime === undefined ? now() : timeInputToHrTime(startTime);
    this.resource = tracer.resource;
    this.instrumentationScope = tracer.scope;
    this.#processor = tracer.processor;
    startAttributes(attributes, scratch);
    this.attributes = scratch.attributes;
    this.#attributeCount = scratch.count;
    this.#droppedAttributes = scratch.dropped;
    if (links !== undefined) for (const l of links) this.addLink(l);
  }

  spanContext(): SpanContext {
    return this.#context;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (this.#isEnded()) return this;
    const decision = maybeAddAttribute({ key, value, attributes: this.attributes, limits: LIMITS, currentAttributesCount: this.#attributeCount });
    if (decision === AddAttributeDecision.DROP_LIMIT_REACHED) {
      if (++this.#droppedAttributes === 1) diag.warn('Dropping extra attributes.');
    } else if (decision === AddAttributeDecision.ADD_NEW) this.#attributeCount++;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) if (Object.prototype.hasOwnProperty.call(attributes, key)) this.setAttribute(key, attributes[key]!);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.#isEnded()) return this;
    if (this.events === NONE) this.events = [];
    if (this.events.length >= EVENT_LIMIT) {
      if (this.#droppedEvents === 0) diag.debug('Dropping extra events.');
      this.events.shift();
      this.#droppedEvents++;
    }
    let attributes = attributesOrTime;
    if (isTimeInput(attributesOrTime)) {
      if (!isTimeInput(time)) time = attributesOrTime;
      attributes = undefined;
    }
    this.events.push({ name, time: time === undefined ? now() : timeInputToHrTime(time), ...cleanSimpleAttributes(attributes, { attributeCountLimit: 128, attributeValueLengthLimit: Infinity }) });
    return this;
  }

  addLink(link: Link): this {
    if (this.#isEnded()) return this;
    if (this.links === NONE) this.links = [];
    if (this.links.length >= LINK_LIMIT) {
      if (this.#droppedLinks === 0) diag.debug('Dropping extra links.');
      this.links.shift();
      this.#droppedLinks++;
    }
    this.links.push({ context: link.context, ...cleanAttributes(link.attributes, { attributeCountLimit: 128, attributeValueLengthLimit: Infinity }) });
    return this;
  }

  addLinks(links: Link[]): this {
    for (const l of links) this.addLink(l);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.#isEnded() || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    const next: SpanStatus = { code: status.code };
    if (status.code === SpanStatusCode.ERROR && typeof status.message === 'string') next.message = status.message;
    this.status = next;
    return this;
  }

  updateName(name: string): this {
    if (!this.#isEnded()) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.#ended) {
      diag.error(`${this.name} ${this.#context.traceId}-${this.#context.spanId} - You can only call end() on a span once.`);
      return;
    }
    const end = endTime === undefined ? now() : timeInputToHrTime(endTime);
    // The duration is worked out when read (only held spans are asked for it).
    if (end[0] < this.startTime[0] || (end[0] === this.startTime[0] && end[1] < this.startTime[1])) {
      diag.warn('Inconsistent start and end time, startTime > endTime. Setting span duration to 0ms.', this.startTime, end);
      this.endTime = [this.startTime[0], this.startTime[1]];
    } else this.endTime = end;
    this.#processor.onEnding?.(this);
    this.#ended = true;
    this.#processor.onEnd(this);
  }

  isRecording(): boolean {
    return !this.#ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else if (exception) {
      if (exception.code) attributes['exception.type'] = exception.code.toString();
      else if (exception.name) attributes['exception.type'] = exception.name;
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    if (attributes['exception.type'] !== undefined || attributes['exception.message'] !== undefined) this.addEvent('exception', attributes, time);
    else diag.warn(`Failed to record an exception ${String(exception)}`);
  }

  get duration(): HrTime {
    if (this.#ended && this.#duration === NO_DURATION) this.#duration = hrTimeDuration(this.startTime, this.endTime);
    return this.#duration;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get droppedAttributesCount(): number {
    return this.#droppedAttributes;
  }

  get droppedEventsCount(): number {
    return this.#droppedEvents;
  }

  get droppedLinksCount(): number {
    return this.#droppedLinks;
  }

  #isEnded(): boolean {
    if (this.#ended) diag.warn(`Cannot execute the operation on ended Span {traceId: ${this.#context.traceId}, spanId: ${this.#context.spanId}}`);
    return this.#ended;
  }
}

/** Starts {@link LeanSpan}s of one instrumentation scope. */
export class LeanTracer implements Tracer {
  readonly scope: { name: string; version?: string; schemaUrl?: string };
  readonly resource: Resource;
  readonly processor: SpanProcessor;
  readonly #provider: { readonly sampleRatio: number };

  constructor(scope: LeanTracer['scope'], resource: Resource, processor: SpanProcessor, provider: { readonly sampleRatio: number } = { sampleRatio: 1 }) {
    this.scope = scope;
    this.resource = resource;
    this.processor = processor;
    this.#provider = provider;
  }

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = apiContext.active()): Span {
    if (options.root === true) ctx = trace.deleteSpan(ctx);
    return this.record(name, options.kind ?? SpanKind.INTERNAL, options.attributes, ctx, options.startTime, options.links);
  }

  /** {@link startSpan} with its options as arguments (what Interlock's own helpers call: no options object per span). */
  record(name: string, kind: SpanKind, attributes: Attributes | undefined, ctx: Context, startTime?: TimeInput, links?: Link[]): Span {
    let parent: SpanContext | undefined;
    // A parent read from a traceparent was checked when it was parsed, and its context suppresses nothing.
    if (ctx instanceof RemoteParent) parent = ctx.parent;
    else {
      if (isTracingSuppressed(ctx)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
      parent = trace.getSpanContext(ctx);
      if (parent !== undefined && !isSpanContextValid(parent)) parent = undefined;
    }
    const spanId = randomHex(8);
    if (parent !== undefined && (parent.traceFlags & TraceFlags.SAMPLED) === 0) {
      // The SDK's default sampler: an unsampled parent's children are not recorded, only propagated.
      return trace.wrapSpanContext({ traceId: parent.traceId, spanId, traceFlags: TraceFlags.NONE, traceState: parent.traceState });
    }
    const traceId = parent?.traceId ?? randomHex(16);
    // A root below the ratio is propagated (its trace id still joins the journal) but not recorded.
    if (parent === undefined && this.#provider.sampleRatio < 1 && !sampledRoot(traceId, this.#provider.sampleRatio)) {
      return trace.wrapSpanContext({ traceId, spanId, traceFlags: TraceFlags.NONE });
    }
    const spanContext: SpanContext = { traceId, spanId, traceFlags: TraceFlags.SAMPLED };
    if (parent?.traceState !== undefined) spanContext.traceState = parent.traceState;
    const span = new LeanSpan(this, name, kind, spanContext, parent, attributes, startTime, links);
    this.processor.onStart(span, ctx);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, a?: SpanOptions | F, b?: Context | F, c?: F): ReturnType<F> {
    const fn = (c ?? (typeof b === 'function' ? b : a)) as F;
    const options = typeof a === 'object' ? a : undefined;
    const parent = typeof b === 'object' ? b : apiContext.active();
    const span = this.startSpan(name, options, parent);
    return apiContext.with(trace.setSpan(parent, span), fn as (s: Span) => ReturnType<F>, undefined, span);
  }
}

/** Hands out one {@link LeanTracer} per scope, all recording to `processor` under `resource`. */
export class LeanTracerProvider implements TracerProvider {
  readonly #resource: Resource;
  readonly #processor: SpanProcessor;
  readonly #tracers = new Map<string, LeanTracer>();
  /** Share of new traces recorded (1: all); children follow their parent whatever it is. Settable: the provider is registered once per process. */
  sampleRatio: number;

  constructor(options: { resource: Resource; processor: SpanProcessor; sampleRatio?: number }) {
    this.#resource = options.resource;
    this.#processor = options.processor;
    this.sampleRatio = options.sampleRatio ?? 1;
  }

  getTracer(name: string, version?: string, options?: { schemaUrl?: string }): LeanTracer {
    const key = `${name}@${version ?? ''}:${options?.schemaUrl ?? ''}`;
    let tracer = this.#tracers.get(key);
    if (tracer === undefined) {
      const scope: LeanTracer['scope'] = { name };
      if (version !== undefined) scope.version = version;
      if (options?.schemaUrl !== undefined) scope.schemaUrl = options.schemaUrl;
      this.#tracers.set(key, (tracer = new LeanTracer(scope, this.#resource, this.#processor, this)));
    }
    return tracer;
  }
}
