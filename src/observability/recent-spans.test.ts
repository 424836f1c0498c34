import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { RecentSpans } from './recent-spans.ts';

/** The parts of a finished span RecentSpans reads. */
function span(traceId: string, spanId: string, startMs: number, parent?: string): ReadableSpan {
  return {
    name: `span ${spanId}`,
    spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
    parentSpanContext: parent === undefined ? undefined : { traceId, spanId: parent, traceFlags: 1 },
    startTime: [Math.floor(startMs / 1000), (startMs % 1000) * 1e6],
    duration: [0, 2_500_000],
    status: { code: spanId.endsWith('e') ? 2 : 0 },
    attributes: { 'interlock.step': spanId },
  } as unknown as ReadableSpan;
}

describe('recent spans', () => {
  it('answers the spans of a trace in start order, as timeline entries', () => {
    const recent = new RecentSpans();
    recent.onEnd(span('t1', 'b', 2000, 'a'));
    recent.onEnd(span('t1', 'a', 1000));
    recent.onEnd(span('t2', 'e', 1500));
    const entries = recent.spansOf('t1');
    assert.deepEqual(entries.map((e) => [e.spanId, e.parentSpanId, e.durationMs, e.status]), [['a', undefined, 2.5, 'ok'], ['b', 'a', 2.5, 'ok']]);
    assert.equal(entries[0]!.at, '1970-01-01T00:00:01.000Z');
    assert.equal(recent.spansOf('t2')[0]!.status, 'error');
  });

  it('drops the oldest traces whole once over its bound, keeping the newest', () => {
    const recent = new RecentSpans(100);
    for (let t = 0; t < 60; t++) for (let s = 0; s < 2; s++) recent.onEnd(span(`t${t}`, `s${s}`, t * 10 + s));
    assert.deepEqual(recent.spansOf('t0'), []);
    assert.equal(recent.spansOf('t59').length, 2);
    const kept = Array.from({ length: 60 }, (_, t) => recent.spansOf(`t${t}`).length).reduce((a, b) => a + b, 0);
    assert.ok(kept <= 100 && kept >= 80, `kept ${kept}`);
  });
});
