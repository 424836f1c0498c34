import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { LeanTracerProvider, remoteParentContext } from './lean-tracer.ts';

const resource = resourceFromAttributes({ 'service.name': 'interlock-test' });
const REMOTE = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true };

function sdk(): { tracer: Tracer; memory: InMemorySpanExporter } {
  const memory = new InMemorySpanExporter();
  const tracer = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] }).getTracer('interlock', '1.0.0');
  return { tracer, memory };
}

function lean(): { tracer: Tracer; memory: InMemorySpanExporter } {
  const memory = new InMemorySpanExporter();
  const tracer = new LeanTracerProvider({ resource, processor: new SimpleSpanProcessor({ exporter: memory }) }).getTracer('interlock', '1.0.0');
  return { tracer, memory };
}

/** The same calls through `tracer`, spans projected to what processors read (ids replaced by their roles). */
function exercise({ tracer, memory }: { tracer: Tracer; memory: InMemorySpanExporter }): unknown[] {
  const given = { 'interlock.source': 'bench', n: 3, ok: true, tags: ['a', 'b'], gone: undefined, bad: { nested: 1 } as never, '': 'no key' };
  const root = tracer.startSpan('inbox bench', { kind: SpanKind.CONSUMER, attributes: given }, context.active());
  given['interlock.source'] = 'changed after start';
  root.setAttribute('late', 'yes');
  root.setAttributes({ more: 1, invalid: null as never });
  root.addEvent('retry', { attempt: 2 });
  root.addEvent('at a time', [1_700_000_000, 5]);
  root.setStatus({ code: SpanStatusCode.OK });
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'ignored after OK' });
  root.updateName('inbox shop');
  const child = tracer.startSpan('deliver sink', { kind: SpanKind.CLIENT, links: [{ context: REMOTE, attributes: { why: 'caused' } }] }, trace.setSpan(ROOT_CONTEXT, root));
  child.recordException(new Error('boom'));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'sink said 503' });
  child.end();
  child.end();
  child.setAttribute('after end', 1);
  root.end();
  const remoteChild = tracer.startSpan('route bench', { attributes: { 'interlock.inbox_id': 7 } }, trace.setSpanContext(ROOT_CONTEXT, REMOTE));
  remoteChild.end();
  const many = tracer.startSpan('many', {}, ROOT_CONTEXT);
  for (let i = 0; i < 130; i++) many.setAttribute(`a${i}`, i);
  many.end();
  // Ended before it started: the SDK ends it at its start, with a duration of 0.
  const back = tracer.startSpan('back', { startTime: [1_700_000_010, 0] }, ROOT_CONTEXT);
  back.end([1_700_000_000, 0]);
  const ids = new Map<string, string>([[REMOTE.spanId, 'remote']]);
  const role = (id: string | undefined) => (id === undefined ? undefined : (ids.get(id) ?? id));
  const spans = memory.getFinishedSpans();
  spans.forEach((s, i) => ids.set(s.spanContext().spanId, `span${i}`));
  return spans.map((s: ReadableSpan) => ({
    name: s.name,
    kind: s.kind,
    span: role(s.spanContext().spanId),
    parent: role(s.parentSpanContext?.spanId),
    parentRemote: s.parentSpanContext?.isRemote,
    sameTraceAsRemote: s.spanContext().traceId === REMOTE.traceId,
    flags: s.spanContext().traceFlags,
    attributes: s.attributes,
    // The stack differs by the line each tracer was called from: whether it is there is compared.
    events: s.events.map((e) => ({ name: e.name, attributes: { ...e.attributes, 'exception.stacktrace': typeof e.attributes?.['exception.stacktrace'] }, dropped: e.droppedAttributesCount, at: e.name === 'at a time' ? e.time : undefined })),
    links: s.links.map((l) => ({ span: role(l.context.spanId), attributes: l.attributes, dropped: l.droppedAttributesCount })),
    status: s.status,
    dropped: [s.droppedAttributesCount, s.droppedEventsCount, s.droppedLinksCount],
    ended: s.ended,
    durationOk: s.duration[0] >= 0 && s.duration[1] >= 0 && s.endTime[0] >= s.startTime[0],
    times: s.name === 'back' ? [s.startTime, s.endTime, s.duration] : undefined,
    scope: { name: s.instrumentationScope.name, version: s.instrumentationScope.version },
    resource: s.resource.attributes,
  }));
}

describe('lean tracer', () => {
  it('records what the SDK tracer records for the same calls', () => {
    const expected = exercise(sdk());
    assert.equal(expected.length, 5);
    assert.deepEqual(exercise(lean()), expected);
  });

  it('follows the parent sampling decision as the SDK default does: an unsampled parent\'s child is propagated, not recorded', () => {
    const { tracer, memory } = lean();
    const span = tracer.startSpan('route', {}, remoteParentContext({ ...REMOTE, traceFlags: 0 }));
    span.end();
    assert.equal(memory.getFinishedSpans().length, 0);
    assert.equal(span.isRecording(), false);
    assert.equal(span.spanContext().traceId, REMOTE.traceId);
    assert.equal(span.spanContext().traceFlags, 0);
    assert.notEqual(span.spanContext().spanId, REMOTE.spanId);
  });

  it('starts nothing under suppressTracing, and a root gets a fresh valid trace', () => {
    const { tracer, memory } = lean();
    tracer.startSpan('export', {}, suppressTracing(ROOT_CONTEXT)).end();
    assert.equal(memory.getFinishedSpans().length, 0);
    const a = tracer.startSpan('a', {}, ROOT_CONTEXT);
    const b = tracer.startSpan('b', { root: true }, trace.setSpan(ROOT_CONTEXT, a));
    assert.match(a.spanContext().traceId, /^[\da-f]{32}$/);
    assert.match(a.spanContext().spanId, /^[\da-f]{16}$/);
    assert.notEqual(b.spanContext().traceId, a.spanContext().traceId);
  });

  it('a remote parent context reads as trace.setSpanContext(ROOT_CONTEXT, parent) would', () => {
    const ctx = remoteParentContext(REMOTE);
    const key = Symbol('k');
    assert.deepEqual(trace.getSpanContext(ctx), REMOTE);
    assert.deepEqual(trace.getSpanContext(ctx.setValue(key, 1)), REMOTE);
    assert.equal(ctx.setValue(key, 1).getValue(key), 1);
    assert.equal(ctx.getValue(key), undefined);
    assert.equal(trace.getSpanContext(trace.deleteSpan(ctx)), undefined);
  });
});
