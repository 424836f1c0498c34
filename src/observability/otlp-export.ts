/**
 * OTLP/HTTP export of spans (binary protobuf, OTLP's default encoding), encoded as each span ends.
 *
 * The SDK's BatchSpanProcessor holds every ended span object (name, attributes, times, resource,
 * scope, events, links) until its batch leaves, and the serializer then walks them all. Here a span
 * becomes its protobuf bytes once, at `onEnd`, written into the batch's buffer (otlp-protobuf.ts),
 * and is dropped: nothing on the JS heap grows with a batch, and the request is assembled around
 * those bytes when the batch leaves. Measured against the OTLP JSON this processor wrote before
 * (the same spans, encoded at end): see the commit and bench/observability.ts; the payload is about
 * a third of the JSON's size. The transport (HTTP agent, retries with backoff, timeout, bounded
 * concurrent exports) is the exporter-base's; the collector's answer is read by the
 * otlp-transformer's protobuf deserializer.
 */
import { diag, TraceFlags } from '@opentelemetry/api';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ProtoWriter, resourceField, scopeField, traceRequest, writeSpan } from './otlp-protobuf.ts';

/** Options of {@link OtlpSpanProcessor}. */
export interface OtlpOptions {
  url: string;
  headers?: Readonly<Record<string, string>>;
  /**
   * Spans per request (2048). The SDK's batch processor sends 512; in the pipeline's profile each
   * request cost the process about 1 ms of CPU (URL, request, streams, retry wrapper, answer: code
   * that runs too seldom to be optimised), so fewer, larger requests (about 230 kB of the
   * pipeline's spans) cost less per span. A partial batch still leaves after `delayMs`.
   */
  maxBatch?: number;
  /** A partial batch leaves after this long (1 s). */
  delayMs?: number;
}

/** One request being filled: its spans' bytes, and the resource and scope they share. */
interface Batch {
  resource: ReadableSpan['resource'];
  scope: ReadableSpan['instrumentationScope'];
  spans: ProtoWriter;
  count: number;
}

/** Room a batch starts with (2048 spans of the pipeline take about 230 kB); it doubles when full. */
const INITIAL_BYTES = 256 * 1024;

/** Encodes ended spans as OTLP protobuf and posts them in batches to an OTLP/HTTP traces endpoint. */
export class OtlpSpanProcessor implements SpanProcessor {
  readonly #delegate;
  readonly #maxBatch: number;
  readonly #delayMs: number;
  #batch: Batch | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Encoded resources and scopes by object (a process has one provider and one tracer, so one each). */
  readonly #encoded = new WeakMap<object, Buffer>();
  #lost = 0;
  #shutdown = false;

  constructor(options: OtlpOptions) {
    this.#maxBatch = options.maxBatch ?? 2048;
    this.#delayMs = options.delayMs ?? 1000;
    const http = convertLegacyHttpOptions({ url: options.url, headers: { ...options.headers } }, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' });
    this.#delegate = createOtlpHttpExportDelegate<Batch, unknown>(
      http,
      {
        serializeRequest: (b) => {
          const first = { resource: b.resource, instrumentationScope: b.scope } as ReadableSpan;
          return traceRequest(this.#encode(b.resource, () => resourceField(first)), this.#encode(b.scope, () => scopeField(first)), b.spans.bytes(), b.resource.schemaUrl, b.scope.schemaUrl);
        },
        deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
      },
      'otlp_http_protobuf_span_exporter',
      { name: 'span', countItems: (b) => b.count },
      undefined,
    );
  }

  onStart(_span: Span): void {}

  onEnd(span: ReadableSpan): void {
    if (this.#shutdown) return;
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    // A span of another resource or scope (not expected) starts a new request.
    if (this.#batch !== undefined && (this.#batch.resource !== span.resource || this.#batch.scope !== span.instrumentationScope)) void this.#flush();
    let batch = this.#batch;
    if (batch === undefined) batch = this.#batch = { resource: span.resource, scope: span.instrumentationScope, spans: new ProtoWriter(INITIAL_BYTES), count: 0 };
    // Written as bytes at once: the span dies young, and nothing on the JS heap grows with the batch.
    writeSpan(batch.spans, span);
    batch.count += 1;
    if (batch.count >= this.#maxBatch) void this.#flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.#flush(), this.#delayMs);
      this.#timer.unref();
    }
  }

  #encode(o: object, encode: () => Buffer): Buffer {
    let s = this.#encoded.get(o);
    if (s === undefined) this.#encoded.set(o, (s = encode()));
    return s;
  }

  /** Sends the open batch (if any); resolves when the collector answered or the export failed. */
  #flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#batch;
    this.#batch = undefined;
    if (batch === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      this.#delegate.export(batch, (result) => {
        if (result.code !== 0) {
          // Tracing must never fail the work it observes: count, say so once per run of failures.
          if (this.#lost === 0) diag.warn(`OTLP export of ${batch.count} spans failed: ${result.error?.message ?? 'unknown error'}`);
          this.#lost += batch.count;
        } else this.#lost = 0;
        resolve();
      });
    });
  }

  async forceFlush(): Promise<void> {
    await this.#flush();
    await this.#delegate.forceFlush();
  }

  async shutdown(): Promise<void> {
    if (this.#shutdown) return;
    await this.forceFlush();
    this.#shutdown = true;
    await this.#delegate.shutdown();
  }
}
