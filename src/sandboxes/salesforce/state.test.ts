/**
 * The Salesforce sandbox's state through the kit: records, id sequence and change events survive
 * a restart with a state file (and the seed is not loaded twice); a reset empties and re-seeds.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SandboxInstance } from '../kit/index.ts';
import { salesforceSandbox } from './salesforce-sandbox.ts';

type Api = ((method: string, p: string, body?: unknown) => Promise<Record<string, unknown>>) & { token: string };

async function session(sb: SandboxInstance): Promise<Api> {
  const res = await fetch(`${sb.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=interlock-sandbox-client&client_secret=interlock-sandbox-secret',
  });
  const token = ((await res.json()) as { access_token: string }).access_token;
  const api = async (method: string, p: string, body?: unknown): Promise<Record<string, unknown>> => {
    const r = await fetch(`${sb.url}/services/data/v61.0${p}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (await r.json()) as Record<string, unknown>;
  };
  return Object.assign(api, { token });
}

const count = (soql: string) => `/query?q=${encodeURIComponent(soql)}`;

describe('Salesforce sandbox state', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sf-state-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps records and ids across a restart with a state file, seeding only once', async () => {
    const statePath = path.join(dir, 'salesforce.sqlite');
    const first = await salesforceSandbox.start({ seed: true, statePath });
    let createdId: string;
    try {
      const api = await session(first);
      createdId = String((await api('POST', '/sobjects/Account', { Name: 'Survivor' }))['id']);
    } finally {
      await first.close();
    }
    const second = await salesforceSandbox.start({ seed: true, statePath });
    try {
      const api = await session(second);
      assert.equal((await api('GET', count('SELECT COUNT() FROM Account')))['totalSize'], 5);
      assert.equal((await api('GET', `/sobjects/Account/${createdId}`))['Name'], 'Survivor');
      const next = String((await api('POST', '/sobjects/Account', { Name: 'Newcomer' }))['id']);
      assert.notEqual(next, createdId);
      const events = await fetch(`${second.url}/eventbus.v1.PubSub/Fetch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ topicName: '/data/AccountChangeEvent', replayPreset: 'EARLIEST', waitMs: 0 }),
      });
      const names = ((await events.json()) as { events: Array<{ event: { payload: { Name: string } } }> }).events.map((e) => e.event.payload.Name);
      assert.deepEqual(names, ['Survivor', 'Newcomer']);
    } finally {
      await second.close();
    }
  });

  it('empties and re-seeds on reset', async () => {
    const sb = await salesforceSandbox.start({ seed: true });
    try {
      const api = await session(sb);
      await api('POST', '/sobjects/Account', { Name: 'Temporary' });
      assert.equal((await api('GET', count('SELECT COUNT() FROM Account')))['totalSize'], 5);
      assert.equal((await fetch(`${sb.url}/__sandbox/reset`, { method: 'POST' })).status, 200);
      assert.equal((await api('GET', count('SELECT COUNT() FROM Account')))['totalSize'], 4);
      assert.equal((await api('GET', count("SELECT COUNT() FROM Account WHERE Name = 'Temporary'")))['totalSize'], 0);
    } finally {
      await sb.close();
    }
  });
});
