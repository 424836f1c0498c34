/**
 * Scale-out on PostgreSQL: two workers (separate engines with their own connection pools, as two
 * processes would have) share one store. No message is delivered twice and per-key order holds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/core/config.ts';
import { Engine } from '../../src/engine/engine.ts';
import { startSink, type Sink } from '../../src/sandboxes/sink/sink.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { silentLog } from '../support/engine-fixtures.ts';
import { eventually } from '../support/engine-harness.ts';
import { createTestStore, postgresUnavailable } from '../support/stores.ts';

const EVENTS = 1200;
const KEYS = 24;

describe('two workers on PostgreSQL', async () => {
  const unavailable = process.env.CI === 'true' ? undefined : await postgresUnavailable();
  if (unavailable !== undefined) {
    it('skipped', { skip: `${unavailable}; set CI=true to make this a failure` }, () => undefined);
    return;
  }
  let sink: Sink | undefined;
  let main: Awaited<ReturnType<typeof createTestStore>> | undefined;
  const stores: Store[] = [];
  const engines: Engine[] = [];
  const deliveredBy = new Map<string, number>();

  before(async () => {
    sink = await startSink();
    main = await createTestStore('postgres');
    for (const worker of ['w1', 'w2']) {
      const config = loadConfig({
        values: {
          store: { kind: 'postgres', postgres: { url: main.config.postgresUrl } },
          worker: { id: worker, poll: '50ms', batchSize: 64 },
          outbound: { allow: ['127.0.0.1'] },
          sources: { s: { eventId: { path: 'id' }, routes: [{ destination: 'sink', key: 'key' }] } },
          destinations: { sink: { url: `${sink.url}/ok`, concurrency: 32 } },
        },
        env: {},
      });
      const store = await openStore(config.store);
      stores.push(store);
      const onDecision = (_m: unknown, _o: unknown, decision: string) => {
        if (decision === 'delivered') deliveredBy.set(worker, (deliveredBy.get(worker) ?? 0) + 1);
      };
      engines.push(new Engine({ store, config, clock: systemClock, log: silentLog, onDecision }));
    }
  });
  after(async () => {
    for (const e of engines) await e.stop();
    for (const s of stores) await s.close();
    await main?.dispose();
    await sink?.close();
  });

  it(`share ${EVENTS} events: none delivered twice, order kept per key`, async () => {
    const accept = (i: number) =>
      engines[i % 2]!.inbox.accept({ source: 's', eventId: `e${i}`, headers: {}, body: JSON.stringify({ id: `e${i}`, key: `k${i % KEYS}`, n: i }) });
    // Half the events are in before the workers start, half arrive while they run.
    await Promise.all(Array.from({ length: EVENTS / 2 }, (_, i) => accept(i)));
    await Promise.all(engines.map((e) => e.startWorker()));
    for (let i = EVENTS / 2; i < EVENTS; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => accept(i + j)));
    }
    assert.ok(await eventually(() => sink!.effects.length === EVENTS, 60_000), `delivered ${sink!.effects.length} of ${EVENTS}`);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sink!.attempts, EVENTS, 'every message was sent exactly once');
    for (let k = 0; k < KEYS; k++) {
      const ns = sink!.effects.filter((e) => JSON.parse(e.body).key === `k${k}`).map((e) => JSON.parse(e.body).n as number);
      assert.deepEqual(ns, [...ns].sort((a, b) => a - b), `order of key k${k}`);
    }
    assert.equal((deliveredBy.get('w1') ?? 0) + (deliveredBy.get('w2') ?? 0), EVENTS);
    assert.ok((deliveredBy.get('w1') ?? 0) > 0 && (deliveredBy.get('w2') ?? 0) > 0, `both workers delivered: ${JSON.stringify([...deliveredBy])}`);
    const open = await stores[0]!.db.selectFrom('outbox').select('status').where('status', '!=', 'delivered').execute();
    assert.equal(open.length, 0);
  });
});
