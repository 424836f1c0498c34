import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from './logger.ts';

describe('logger', () => {
  it('writes JSON lines and never the value of a credential, however it is nested', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger('info', sink);
    const canary = 'sk_live_canary_8c1f';
    log.info({ headers: { authorization: `Bearer ${canary}`, 'stripe-signature': canary }, token: canary, nested: { secret: canary } }, 'call');
    log.flush();
    await new Promise((r) => setImmediate(r));
    assert.equal(lines.length, 1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(entry.msg, 'call');
    assert.doesNotMatch(lines[0]!, new RegExp(canary));
  });
});
