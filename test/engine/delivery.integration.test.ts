/**
 * The engine end to end over HTTP, on both stores: webhook in → inbox → routing → outbox →
 * delivered to a recording sink; retries, dead letters, replay and Retry-After.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startSink, type Sink } from '../../src/sandboxes/sink/sink.ts';
import { eventually, post, startHarness, type Harness } from '../support/engine-harness.ts';
import { describeEachStore } from '../support/stores.ts';

describeEachStore('delivery end to end', (get) => {
  let sink: Sink | undefined;
  let h: Harness | undefined;
  before(async () => {
    sink = await startSink();
    const retry = { maxAttempts: 3, initialDelay: '20ms', maxDelay: '50ms' };
    h = await startHarness(get().store, {
      sources: {
        orders: { eventId: { path: 'id' }, routes: [{ destination: 'ok', key: 'order' }] },
        poison: { eventId: { header: 'x-event-id' }, routes: [{ destination: 'flaky', key: 'order' }] },
        limited: { eventId: { path: 'id' }, routes: [{ destination: 'limited' }] },
        private: { eventId: { path: 'id' }, routes: [{ destination: 'private' }] },
      },
      destinations: {
        ok: { url: `${sink!.url}/ok`, retry },
        flaky: { url: `${sink!.url}/flaky/3`, retry },
        limited: { url: `${sink!.url}/limited/1?retryAfter=2`, retry },
        // Loopback by another name than the allowed 127.0.0.1: the SSRF guard must refuse it.
        private: { url: `${sink!.url.replace('127.0.0.1', '127.0.0.2')}/ok`, retry },
      },
    });
  });
  after(async () => {
    await h?.close();
    await sink?.close();
  });

  it('delivers every event once, in order per business key', async () => {
    const sends = [];
    for (let i = 0; i < 60; i++) sends.push(post(`${h!.url}/hooks/orders`, { id: `e${i}`, order: `SO-${i % 4}`, seq: i }));
    const answers = await Promise.all(sends);
    assert.ok(answers.every((a) => a.status === 202 && a.json.duplicate === false));
    assert.ok(await eventually(() => sink!.effects.filter((e) => e.source === 'orders').length === 60));
    for (let k = 0; k < 4; k++) {
      const seqs = sink!.effects.filter((e) => e.source === 'orders' && JSON.parse(e.body).order === `SO-${k}`).map((e) => JSON.parse(e.body).seq as number);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `order of SO-${k}`);
    }
    const repeat = await post(`${h!.url}/hooks/orders`, { id: 'e1', order: 'SO-1', seq: 1 });
    assert.equal(repeat.status, 202);
    assert.equal(repeat.json.duplicate, true);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sink!.effects.filter((e) => e.eventId === 'e1').length, 1);
  });

  it('parks a poison message after its policy\'s attempts, and a replay delivers it once', async () => {
    const sent = await post(`${h!.url}/hooks/poison`, { order: 'SO-9' }, { 'x-event-id': 'poison-1' });
    assert.equal(sent.status, 202);
    const listUrl = `${h!.url}/admin/dead-letters?destination=flaky`;
    assert.ok(await eventually(async () => ((await (await fetch(listUrl)).json()) as { items: unknown[] }).items.length === 1));
    const { items } = (await (await fetch(listUrl)).json()) as { items: Array<{ id: number; attempts: number; lastStatus: number; reason: string }> };
    assert.equal(items[0]!.attempts, 3);
    assert.equal(items[0]!.lastStatus, 503);
    assert.equal(sink!.effects.filter((e) => e.eventId === 'poison-1').length, 0);

    const replay = await post(`${h!.url}/admin/dead-letters/${items[0]!.id}/replay`, {});
    assert.equal(replay.status, 200);
    assert.deepEqual(replay.json, { replayed: 1 });
    assert.ok(await eventually(() => sink!.effects.some((e) => e.eventId === 'poison-1')));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sink!.effects.filter((e) => e.eventId === 'poison-1').length, 1);
    assert.equal(sink!.attemptsOf(sink!.effects.find((e) => e.eventId === 'poison-1')!.key), 4);
  });

  it('does not retry a 429 before the time its Retry-After names', async () => {
    await post(`${h!.url}/hooks/limited`, { id: 'lim-1' });
    assert.ok(await eventually(() => sink!.effects.some((e) => e.eventId === 'lim-1')));
    const key = sink!.effects.find((e) => e.eventId === 'lim-1')!.key;
    const [first, second] = sink!.attemptTimes(key);
    assert.equal(sink!.attemptsOf(key), 2);
    assert.ok(second! - first! >= 2000, `retried after ${second! - first!} ms`);
  });

  it('refuses to deliver to a private address that is not allowed, and parks the message at once', async () => {
    await post(`${h!.url}/hooks/private`, { id: 'ssrf-1' });
    const listUrl = `${h!.url}/admin/dead-letters?destination=private`;
    assert.ok(await eventually(async () => ((await (await fetch(listUrl)).json()) as { items: unknown[] }).items.length === 1));
    const { items } = (await (await fetch(listUrl)).json()) as { items: Array<{ attempts: number; errorClass: string; reason: string }> };
    assert.equal(items[0]!.errorClass, 'permanent');
    assert.equal(items[0]!.attempts, 1);
    assert.match(items[0]!.reason, /refusing to connect to 127\.0\.0\.2/);
    assert.equal(sink!.effects.filter((e) => e.eventId === 'ssrf-1').length, 0);
  });
});
