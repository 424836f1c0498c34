/**
 * A span processor that keeps the spans of recent traces in memory, so a lineage answer can show
 * what happened step by step (vendor calls included) without a tracing backend. Bounded: when
 * more than `maxSpans` (10 000 by default) are held, the oldest traces are dropped whole.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/** One span as the lineage timeline shows it. */
export interface TimelineEntry {
  at: string;
  name: string;
  durationMs: number;
  status: 'ok' | 'error';
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

/** Keeps recent spans by trace id. */
export class RecentSpans implements SpanProcessor {
  // Spans are kept as the SDK made them and converted only when asked for: most are never read.
  readonly #byTrace = new Map<string, ReadableSpan[]>();
  /** Trace ids oldest first, from `#head` on: a queue, because finding a Map's first key after many deletions walks every deleted slot. */
  #order: string[] = [];
  #head = 0;
  readonly #maxSpans: number;
  #count = 0;

  constructor(maxSpans = 10_000) {
    this.#maxSpans = maxSpans;
  }

  onStart(_span: Span, _parent: Context): void {}

  onEnd(span: ReadableSpan): void {
    const ctx = span.spanContext();
    const list = this.#byTrace.get(ctx.traceId);
    if (list === undefined) {
      this.#byTrace.set(ctx.traceId, [span]);
      this.#order.push(ctx.traceId);
    } else list.push(span);
    this.#count += 1;
    if (this.#count <= this.#maxSpans) return;
    // Over the bound: drop the oldest traces down to 90 %, so eviction runs once per many spans.
    while (this.#count > this.#maxSpans * 0.9 && this.#head < this.#order.length) {
      const oldest = this.#order[this.#head++]!;
      this.#count -= this.#byTrace.get(oldest)?.length ?? 0;
      this.#byTrace.delete(oldest);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The spans of `traceId` held, in start order. */
  spansOf(traceId: string): TimelineEntry[] {
    return (this.#byTrace.get(traceId) ?? []).map(toEntry).sort((a, b) => a.at.localeCompare(b.at));
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {
    this.#byTrace.clear();
    this.#order = [];
    this.#head = 0;
    this.#count = 0;
  }
}

function toEntry(span: ReadableSpan): TimelineEntry {
  const ctx = span.spanContext();
  const [s, ns] = span.startTime;
  const [ds, dns] = span.duration;
  return {
    at: new Date(s * 1000 + ns / 1e6).toISOString(),
    name: span.name,
    durationMs: Math.round((ds * 1000 + dns / 1e6) * 1000) / 1000,
    status: span.status.code === 2 ? 'error' : 'ok',
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    ...(span.parentSpanContext?.spanId === undefined ? {} : { parentSpanId: span.parentSpanContext.spanId }),
    attributes: { ...span.attributes },
  };
}
