/**
 * The NetSuite sandbox's state through the kit: records, internal ids and external-id lookups
 * survive a restart with a state file (seeded once); a reset empties and re-seeds.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import type { SandboxFactory, SandboxInstance } from '../kit/index.ts';
import { createNetSuiteSandbox } from './netsuite-sandbox.ts';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

async function session(sb: SandboxInstance): Promise<(method: string, p: string, body?: unknown) => Promise<Response>> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({ scope: ['rest_webservices'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'interlock-sandbox-cert' })
    .setIssuer('interlock-netsuite-client')
    .setAudience(`${sb.url}/services/rest/auth/oauth2/v1/token`)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(privateKey);
  const res = await fetch(`${sb.url}/services/rest/auth/oauth2/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt }),
  });
  const token = String(((await res.json()) as Record<string, unknown>)['access_token']);
  return (method, p, body) =>
    fetch(`${sb.url}/services/rest/record/v1${p}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}

describe('NetSuite sandbox state', () => {
  const factory: SandboxFactory = createNetSuiteSandbox({ publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
  const dir = mkdtempSync(path.join(tmpdir(), 'ns-state-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps records, ids and external ids across a restart with a state file, seeding only once', async () => {
    const statePath = path.join(dir, 'netsuite.sqlite');
    const first = await factory.start({ seed: true, statePath });
    let location: string;
    try {
      const api = await session(first);
      location = (await api('PUT', '/customer/eid:KEEP-1', { companyName: 'Survivor', subsidiary: { id: '1' } })).headers.get('location') ?? '';
    } finally {
      await first.close();
    }
    const second = await factory.start({ seed: true, statePath });
    try {
      const api = await session(second);
      const byEid = (await (await api('GET', '/customer/eid:KEEP-1')).json()) as Record<string, unknown>;
      assert.equal(`/customer/${String(byEid['id'])}`, location.slice(location.indexOf('/customer/')));
      assert.equal(((await (await api('GET', '/customer')).json()) as { totalResults: number }).totalResults, 3);
      const next = (await api('POST', '/customer', { companyName: 'Newcomer', subsidiary: { id: '1' } })).headers.get('location');
      assert.notEqual(next?.split('/').pop(), byEid['id']);
    } finally {
      await second.close();
    }
  });

  it('empties and re-seeds on reset', async () => {
    const sb = await factory.start({ seed: true });
    try {
      const api = await session(sb);
      await api('PUT', '/customer/eid:TEMP-1', { companyName: 'Temporary', subsidiary: { id: '1' } });
      assert.equal((await fetch(`${sb.url}/__sandbox/reset`, { method: 'POST' })).status, 200);
      assert.equal((await api('GET', '/customer/eid:TEMP-1')).status, 404);
      assert.equal((await api('GET', '/customer/eid:ACME-001')).status, 200);
    } finally {
      await sb.close();
    }
  });
});
