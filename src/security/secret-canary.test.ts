/**
 * One canary secret through the whole path: stored encrypted, referenced from the configuration
 * as `secret://…`, resolved at start, used to verify webhooks, with admin actions audited. Its
 * value must never show up in the logs (at trace level), in any answer, in the audit log, or in
 * the bytes of the SQLite file.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { after, before, it } from 'node:test';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../api/server.ts';
import { systemClock } from '../core/clock.ts';
import { loadConfig } from '../core/config.ts';
import { Engine } from '../engine/engine.ts';
import { describeEachStore } from '../../test/support/stores.ts';
import { AuditLog } from './audit-log.ts';
import { generateMasterKey, parseMasterKey } from './master-key.ts';
import { resolveSecretRefs } from './secret-refs.ts';
import { Secrets } from './secrets.ts';
import { signStripe } from './stripe-signature.ts';

const CANARY = 'whsec_canary_0c9e4d2b8a_never_anywhere';

describeEachStore('a canary secret', (get) => {
  const logLines: string[] = [];
  const answers: string[] = [];
  let app: FastifyInstance | undefined;
  let engine: Engine | undefined;
  let url = '';

  before(async () => {
    const { store } = get();
    const audit = new AuditLog(store, systemClock);
    const secrets = new Secrets(store, audit, systemClock, parseMasterKey(generateMasterKey(), 'test'));
    await secrets.set('stripe-webhook', CANARY, 'test');
    const raw = {
      log: { level: 'trace' },
      sources: { stripe: { eventId: { path: 'id' }, routes: [], signature: { scheme: 'stripe', secrets: ['secret://stripe-webhook'] } } },
      destinations: { sink: { url: 'http://127.0.0.1:9/ok' } },
    };
    const config = loadConfig({ values: await resolveSecretRefs(raw, (n) => secrets.reveal(n)), env: {} });
    assert.deepEqual(config.sources.stripe?.signature?.secrets, [CANARY], 'the reference was resolved');
    const log = pino({ level: 'trace' }, new Writable({ write: (chunk: Buffer, _e, done) => void (logLines.push(chunk.toString()), done()) }));
    engine = new Engine({ store, config, clock: systemClock, log });
    app = await buildServer({ config, store, engine, log });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  after(async () => {
    await app?.close();
    await engine?.stop();
  });

  const record = async (res: Response) => {
    answers.push(JSON.stringify([...res.headers]), await res.text());
    return res.status;
  };

  it('verifies webhooks with the resolved secret and refuses forgeries', async () => {
    const body = '{"id":"evt_canary"}';
    const t = Math.floor(Date.now() / 1000);
    const send = (headers: Record<string, string>, b = body) => fetch(`${url}/hooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: b });
    assert.equal(await record(await send({ 'stripe-signature': signStripe(body, CANARY, t) })), 202);
    assert.equal(await record(await send({ 'stripe-signature': signStripe(body, 'whsec_wrong', t) })), 401);
    assert.equal(await record(await send({ 'stripe-signature': signStripe(body, CANARY, t - 10_000) })), 401);
    assert.equal(await record(await send({})), 401);
    assert.equal(await record(await send({ 'stripe-signature': signStripe('{', CANARY, t) }, '{')), 400);
    assert.equal(await record(await fetch(`${url}/admin/dead-letters`)), 200);
    assert.equal(await record(await fetch(`${url}/admin/dead-letters/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"source":"stripe"}' })), 200);
  });

  it('never shows the value in logs, answers, the audit log or the SQLite file', async () => {
    const { store, config } = get();
    assert.ok(logLines.length > 0, 'the logger was written to');
    for (const line of logLines) assert.ok(!line.includes(CANARY), `log line: ${line}`);
    for (const a of answers) assert.ok(!a.includes(CANARY), `answer: ${a}`);
    const audit = await new AuditLog(store, systemClock).list({ limit: 10_000 });
    assert.ok(audit.some((e) => e.action === 'secret.set') && audit.some((e) => e.action === 'dead-letter.replay'));
    assert.ok(!JSON.stringify(audit).includes(CANARY), 'audit log');
    if (config.kind === 'sqlite') {
      for (const file of [config.sqlitePath, `${config.sqlitePath}-wal`]) {
        if (existsSync(file)) assert.equal(readFileSync(file).indexOf(CANARY), -1, file);
      }
    }
  });
});
