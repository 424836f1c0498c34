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
