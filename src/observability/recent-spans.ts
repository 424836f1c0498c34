/**
 * A span processor that keeps the spans of recent traces in memory, so a lineage answer can show
 * what happened step by step (vendor calls included) without a tracing backend. Bounded: when
 * more than `maxSpans` are held, the oldest traces are dropped whole.
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
  readonly #byTrace = new Map<string, TimelineEntry[]>();
  readonly #maxSpans: number;
  #count = 0;

  constructor(maxSpans = 20_000) {
    this.#maxSpans = maxSpans;
  }

  onStart(_span: Span, _parent: Context): void {}

  onEnd(span: ReadableSpan): void {
    const ctx = span.spanContext();
    const [s, ns] = span.startTime;
    const [ds, dns] = span.duration;
    const entry: TimelineEntry = {
      at: new Date(s * 1000 + ns / 1e6).toISOString(),
      name: span.name,
      durationMs: Math.round((ds * 1000 + dns / 1e6) * 1000) / 1000,
      status: span.status.code === 2 ? 'error' : 'ok',
      traceId: ctx.traceId,
      spanId: ctx.spanId,
      ...(span.parentSpanContext?.spanId === undefined ? {} : { parentSpanId: span.parentSpanContext.spanId }),
      attributes: { ...span.attributes },
    };
    const list = this.#byTrace.get(ctx.traceId);
    if (list === undefined) this.#byTrace.set(ctx.traceId, [entry]);
    else list.push(entry);
    this.#count += 1;
    while (this.#count > this.#maxSpans) {
      const oldest = this.#byTrace.keys().next().value;
      if (oldest === undefined) break;
      this.#count -= this.#byTrace.get(oldest)?.length ?? 0;
      this.#byTrace.delete(oldest);
    }
  }

  /** The spans of `traceId` held, in start order. */
  spansOf(traceId: string): TimelineEntry[] {
    return [...(this.#byTrace.get(traceId) ?? [])].sort((a, b) => a.at.localeCompare(b.at));
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {
    this.#byTrace.clear();
    this.#count = 0;
  }
}
