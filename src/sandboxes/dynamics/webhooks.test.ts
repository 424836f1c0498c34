/**
 * Change notifications registered the documented way (a `serviceendpoints` webhook row and an
 * `sdkmessageprocessingsteps` row on a message and table, with a post image) arrive as a
 * RemoteExecutionContext with the x-ms-dynamics headers and the endpoint key; and the sandbox's
 * rows survive a restart with a state file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SandboxInstance } from '../kit/index.ts';
import { DEFAULT_DYNAMICS_CONFIG } from './config.ts';
import { dynamicsSandbox } from './dynamics-sandbox.ts';

interface Received {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

async function connect(sb: SandboxInstance): Promise<(method: string, p: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; headers: Headers; body: Record<string, unknown> | undefined }>> {
  const { tenantId, clientId, clientSecret } = DEFAULT_DYNAMICS_CONFIG;
  const res = await fetch(`${sb.url}/${tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `${sb.url}/.default` }) });
  const token = ((await res.json()) as { access_token: string }).access_token;
  return async (method, p, body, headers = {}) => {
    const r = await fetch(`${sb.url}/api/data/v9.2${p}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  };
}

describe('Dynamics 365 sandbox webhooks', () => {
  let sb: SandboxInstance;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];

  before(async () => {
    sb = await dynamicsSandbox.start({ seed: true });
    receiver = createServer((req, res) => {
      let data = '';
      req.on('data', (chunk: Buffer) => (data += chunk.toString()));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(data) as Record<string, unknown> });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks/dynamics`;
  });
  after(async () => {
    await sb.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('posts a RemoteExecutionContext for a registered Update step, with the WebhookKey as ?code=', async () => {
    const api = await connect(sb);
    const endpoint = await api('POST', '/serviceendpoints', { name: 'Interlock', url: receiverUrl, contract: 8, authtype: 4, authvalue: 'shared-secret-1', messageformat: 2 }, { prefer: 'return=representation' });
    assert.equal(endpoint.status, 201);
    const update = ((await api('GET', `/sdkmessages?$select=name&$filter=${encodeURIComponent("name eq 'Update'")}`)).body?.['value'] as Array<{ sdkmessageid: string }>)[0];
    const filter = (
      (await api('GET', `/sdkmessagefilters?$filter=${encodeURIComponent(`primaryobjecttypecode eq 'opportunity' and _sdkmessageid_value eq ${update?.sdkmessageid ?? ''}`)}`)).body?.['value'] as Array<{ sdkmessagefilterid: string }>
    )[0];
    const step = await api('POST', '/sdkmessageprocessingsteps', {
      name: 'Interlock: opportunity state', stage: 40, mode: 1, rank: 1, supporteddeployment: 0, filteringattributes: 'statecode',
      'sdkmessageid@odata.bind': `/sdkmessages(${update?.sdkmessageid ?? ''})`,
      'sdkmessagefilterid@odata.bind': `/sdkmessagefilters(${filter?.sdkmessagefilterid ?? ''})`,
      'eventhandler_serviceendpoint@odata.bind': `/serviceendpoints(${String(endpoint.body?.['serviceendpointid'])})`,
    }, { prefer: 'return=representation' });
    assert.equal(step.status, 201, JSON.stringify(step.body));
    await api('POST', '/sdkmessageprocessingstepimages', { name: 'PostImage', entityalias: 'PostImage', imagetype: 1, messagepropertyname: 'Target', 'sdkmessageprocessingstepid@odata.bind': `/sdkmessageprocessingsteps(${String(step.body?.['sdkmessageprocessingstepid'])})` });

    const opp = ((await api('GET', `/opportunities?$select=name&$filter=${encodeURIComponent("name eq 'Adventure Works seal kit restock'")}`)).body?.['value'] as Array<{ opportunityid: string }>)[0];
    await api('PATCH', `/opportunities(${opp?.opportunityid ?? ''})`, { description: 'not a filtering attribute: no notification' });
    assert.equal((await api('POST', '/WinOpportunity', { Status: 3, OpportunityClose: { 'opportunityid@odata.bind': `/opportunities(${opp?.opportunityid ?? ''})` } })).status, 204);

    for (let i = 0; i < 200 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(received.length, 1);
    const hit = received[0] as Received;
    assert.match(hit.url, /^\/hooks\/dynamics\?code=shared-secret-1$/);
    assert.equal(hit.headers['x-ms-dynamics-entity-name'], 'opportunity');
    assert.equal(hit.headers['x-ms-dynamics-request-name'], 'Update');
    assert.equal(hit.headers['x-ms-dynamics-organization'], 'interlockdemo');
    assert.equal(hit.headers['x-request-id'], hit.body['RequestId']);
    assert.equal(hit.body['MessageName'], 'Update');
    assert.equal(hit.body['PrimaryEntityName'], 'opportunity');
    assert.equal(hit.body['PrimaryEntityId'], opp?.opportunityid);
    assert.equal(hit.body['Stage'], 40);
    const target = (hit.body['InputParameters'] as Array<{ key: string; value: { Attributes: Array<{ key: string; value: unknown }> } }>)[0];
    assert.equal(target?.key, 'Target');
    assert.deepEqual(target?.value.Attributes.find((a) => a.key === 'statecode')?.value, { __type: 'OptionSetValue:http://schemas.microsoft.com/xrm/2011/Contracts', Value: 1 });
    const image = (hit.body['PostEntityImages'] as Array<{ key: string; value: { Attributes: Array<{ key: string; value: unknown }> } }>)[0];
    assert.equal(image?.key, 'PostImage');
    assert.equal(image?.value.Attributes.find((a) => a.key === 'name')?.value, 'Adventure Works seal kit restock');
    assert.match(String(image?.value.Attributes.find((a) => a.key === 'actualclosedate')?.value), /^\/Date\(\d+\)\/$/);
  });
});

describe('Dynamics 365 sandbox state', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dynamics-state-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps rows across a restart with a state file, seeding once, and re-seeds on reset', async () => {
    const statePath = path.join(dir, 'dynamics.sqlite');
    const first = await dynamicsSandbox.start({ seed: true, statePath });
    const api1 = await connect(first);
    assert.equal((await api1('PATCH', "/accounts(accountnumber='CUST-5001')", { name: 'Kept AG' })).status, 204);
    await first.close();
    const second = await dynamicsSandbox.start({ seed: true, statePath });
    try {
      const api2 = await connect(second);
      assert.equal((await api2('GET', "/accounts(accountnumber='CUST-5001')?$select=name")).body?.['name'], 'Kept AG');
      const all = await api2('GET', '/accounts?$select=name&$count=true');
      assert.equal(all.body?.['@odata.count'], 4);
      await fetch(`${second.url}/__sandbox/reset`, { method: 'POST' });
      assert.equal((await api2('GET', "/accounts(accountnumber='CUST-5001')")).status, 404);
    } finally {
      await second.close();
    }
  });
});
