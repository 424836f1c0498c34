import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startSink } from './sink.ts';

it('applies each idempotency key once and lists the effects, JSON bodies parsed', async () => {
  const sink = await startSink();
  try {
    const send = (key: string, body: string) => fetch(`${sink.url}/ok`, { method: 'POST', headers: { 'idempotency-key': key, 'content-type': 'application/json' }, body });
    await send('k1', '{"type":"interlock.invoice.posted.v1"}');
    await send('k1', '{"type":"interlock.invoice.posted.v1"}');
    await send('k2', 'plain text');
    const stats = (await (await fetch(`${sink.url}/__sink/stats`)).json()) as { attempts: number; effects: number };
    assert.equal(stats.effects, 2);
    const listed = (await (await fetch(`${sink.url}/__sink/effects`)).json()) as Array<{ key: string; body: unknown }>;
    assert.deepEqual(listed.map((e) => [e.key, e.body]), [['k1', { type: 'interlock.invoice.posted.v1' }], ['k2', 'plain text']]);
  } finally {
    await sink.close();
  }
});

it('chooses behaviour by path, with and without a query', async () => {
  const sink = await startSink();
  try {
    const post = (path: string, key: string) => fetch(`${sink.url}${path}`, { method: 'POST', headers: { 'idempotency-key': key }, body: '{}' });
    assert.equal((await post('/status/503', 'a')).status, 503);
    const limited = await post('/status/429?retryAfter=7', 'b');
    assert.deepEqual([limited.status, limited.headers.get('retry-after')], [429, '7']);
    assert.deepEqual([(await post('/flaky/1', 'c')).status, (await post('/flaky/1', 'c')).status], [503, 200]);
    const first = await post('/limited/1?retryAfter=2', 'd');
    assert.deepEqual([first.status, first.headers.get('retry-after'), (await post('/limited/1?retryAfter=2', 'd')).status], [429, '2', 200]);
    assert.equal(sink.attemptsOf('c'), 2);
    assert.deepEqual(sink.effects.map((e) => e.key), ['c', 'd']);
  } finally {
    await sink.close();
  }
});
