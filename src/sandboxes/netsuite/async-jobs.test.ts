/**
 * Async record requests (`Prefer: respond-async`) and `X-NetSuite-Idempotency-Key`: 202 with a
 * job Location, job/task/result reads, and a repeated key refused with IDEMPOTENCY_ERROR.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import type { SandboxInstance } from '../kit/index.ts';
import { createNetSuiteSandbox } from './netsuite-sandbox.ts';

describe('NetSuite async requests', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let sb: SandboxInstance;
  let token: string;

  const send = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(url.startsWith('http') ? url : `${sb.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  before(async () => {
    sb = await createNetSuiteSandbox({ publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() }).start({ seed: true });
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
    token = String(((await res.json()) as Record<string, unknown>)['access_token']);
  });
  after(() => sb.close());

  it('accepts with 202, runs the request as a job and keeps its result', async () => {
    const key = randomUUID();
    const accepted = await send('POST', '/services/rest/record/v1/customer', { companyName: 'Async Co', subsidiary: { id: '1' } }, { prefer: 'respond-async', 'x-netsuite-idempotency-key': key });
    assert.equal(accepted.status, 202);
    assert.equal(accepted.headers.get('preference-applied'), 'respond-async');
    const jobUrl = accepted.headers.get('location') ?? '';
    assert.match(jobUrl, /\/services\/rest\/async\/v1\/job\/\w+$/);
    let job: Record<string, unknown> = {};
    for (let i = 0; i < 100 && job['completed'] !== true; i++) {
      job = (await (await send('GET', jobUrl)).json()) as Record<string, unknown>;
      if (job['completed'] !== true) await sleep(20);
    }
    assert.deepEqual([job['completed'], job['progress']], [true, 'succeeded']);
    const tasks = (await (await send('GET', `${jobUrl}/task`)).json()) as { items: Array<{ id: string }> };
    const taskUrl = `${jobUrl}/task/${tasks.items[0]?.id}`;
    const task = (await (await send('GET', taskUrl)).json()) as Record<string, unknown>;
    assert.deepEqual([task['completed'], task['progress'], typeof task['startTime'], typeof task['endTime']], [true, 'succeeded', 'string', 'string']);
    const result = await send('GET', `${taskUrl}/result`);
    assert.equal(result.status, 204);
    const customerUrl = result.headers.get('location') ?? '';
    const customer = (await (await send('GET', customerUrl)).json()) as Record<string, unknown>;
    assert.equal(customer['companyName'], 'Async Co');

    const repeat = await send('POST', '/services/rest/record/v1/customer', { companyName: 'Async Co', subsidiary: { id: '1' } }, { prefer: 'respond-async', 'x-netsuite-idempotency-key': key });
    const body = (await repeat.json()) as Record<string, unknown>;
    assert.deepEqual([repeat.status, body['title'], (body['o:errorDetails'] as Array<Record<string, unknown>>)[0]?.['o:errorCode']], [400, 'Conflict', 'IDEMPOTENCY_ERROR']);
    assert.equal(repeat.headers.get('location'), jobUrl);
    const list = (await (await send('GET', `/services/rest/record/v1/customer?q=${encodeURIComponent('companyName IS "Async Co"')}`)).json()) as { totalResults: number };
    assert.equal(list.totalResults, 1, 'the repeated request created nothing');
  });

  it('records a failed job when the request fails, and refuses a key that is not a UUID', async () => {
    const accepted = await send('POST', '/services/rest/record/v1/customer', { companyName: 'No Subsidiary' }, { prefer: 'respond-async' });
    const jobUrl = accepted.headers.get('location') ?? '';
    let job: Record<string, unknown> = {};
    for (let i = 0; i < 100 && job['completed'] !== true; i++) {
      job = (await (await send('GET', jobUrl)).json()) as Record<string, unknown>;
      if (job['completed'] !== true) await sleep(20);
    }
    assert.equal(job['progress'], 'failed');
    const bad = await send('POST', '/services/rest/record/v1/customer', { companyName: 'x', subsidiary: { id: '1' } }, { prefer: 'respond-async', 'x-netsuite-idempotency-key': 'not-a-uuid' });
    assert.equal(bad.status, 400);
    assert.equal((await send('GET', '/services/rest/async/v1/job/nope')).status, 404);
  });

  it('forgets idempotency keys with the jobs on reset, so a key used before is accepted again', async () => {
    const key = randomUUID();
    const headers = { prefer: 'respond-async', 'x-netsuite-idempotency-key': key };
    const first = await send('POST', '/services/rest/record/v1/customer', { companyName: 'Before Reset', subsidiary: { id: '1' } }, headers);
    assert.equal(first.status, 202);
    assert.equal((await send('POST', '/services/rest/record/v1/customer', { companyName: 'Before Reset', subsidiary: { id: '1' } }, headers)).status, 400);
    await sleep(50);
    await sb.reset();
    const again = await send('POST', '/services/rest/record/v1/customer', { companyName: 'After Reset', subsidiary: { id: '1' } }, headers);
    assert.equal(again.status, 202);
    assert.notEqual(again.headers.get('location'), first.headers.get('location'));
  });
});
