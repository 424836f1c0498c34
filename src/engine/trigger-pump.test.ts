import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLog } from '../../test/support/engine-fixtures.ts';
import type { InboundEvent } from './inbox.ts';
import { TriggerPump } from './trigger-pump.ts';
import type { PullTrigger, TriggerBatch } from './trigger-pump.ts';

const event = (id: string): InboundEvent => ({ source: 'test', eventId: id, headers: {}, body: '{}' });

/** A trigger over scripted batches (an Error is thrown instead of returned), then long polls forever. */
function scripted(batches: Array<string[] | Error>, log: string[]): PullTrigger {
  let i = 0;
  return {
    name: 'scripted',
    async next(): Promise<TriggerBatch> {
      const step = batches[i++];
      if (step === undefined) return new Promise(() => {});
      if (step instanceof Error) throw step;
      return { events: step.map(event), ack: async () => void log.push(`ack ${step.join(',')}`) };
    },
  };
}

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'condition not reached');
};

describe('TriggerPump', () => {
  it('stores every event of a batch before acknowledging it, batch after batch', async () => {
    const log: string[] = [];
    const inbox = { accept: async (e: InboundEvent) => (log.push(`store ${e.eventId}`), { id: 1, duplicate: false }) };
    const pump = new TriggerPump({ trigger: scripted([['a', 'b'], [], ['c']], log), inbox, log: silentLog });
    pump.start();
    await until(() => log.includes('ack c'));
    await pump.stop();
    assert.deepEqual(log, ['store a', 'store b', 'ack a,b', 'ack ', 'store c', 'ack c']);
    assert.equal(pump.accepted, 3);
  });

  it('does not acknowledge a batch the inbox could not store, and fetches it again after a backoff', async () => {
    const log: string[] = [];
    let failOnce = true;
    const inbox = {
      accept: async (e: InboundEvent) => {
        if (failOnce) {
          failOnce = false;
          throw new Error('database is locked');
        }
        log.push(`store ${e.eventId}`);
        return { id: 1, duplicate: false };
      },
    };
    // The trigger hands the unacknowledged batch out again, as a cursor that did not move does.
    const pump = new TriggerPump({ trigger: scripted([['a'], new Error('fetch failed'), ['a']], log), inbox, log: silentLog, initialDelayMs: 1, maxDelayMs: 2 });
    pump.start();
    await until(() => log.includes('ack a'));
    await pump.stop();
    assert.deepEqual(log, ['store a', 'ack a']);
  });

  it('stops without waiting out a long poll', async () => {
    const pump = new TriggerPump({ trigger: scripted([], []), inbox: { accept: async () => ({ id: 1, duplicate: false }) }, log: silentLog });
    pump.start();
    await pump.stop(10);
    assert.equal(pump.accepted, 0);
  });
});
