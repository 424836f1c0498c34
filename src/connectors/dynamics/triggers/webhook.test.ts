import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { InterlockError } from '../../../core/errors.ts';
import type { SandboxInstance } from '../../../sandboxes/kit/index.ts';
import { literal } from '../actions/odata.ts';
import { queryRecords } from '../actions/query-records.ts';
import { registerWebhook } from '../actions/register-webhook.ts';
import type { DynamicsClient } from '../client.ts';
import { clientOf, patchFaults, startDynamics } from '../test-support.ts';
import { DynamicsWebhookVerifier, parseExecutionContext, type DynamicsChangeEvent } from './webhook.ts';

const KEY = 'interlock-webhook-key-1';

describe('Dynamics 365 webhook trigger', () => {
  let sandbox: SandboxInstance;
  let client: DynamicsClient;
  let receiver: Server;
  let url: string;
  const events: DynamicsChangeEvent[] = [];
  const refused: string[] = [];
  const verifier = new DynamicsWebhookVerifier({ keys: ['an-older-key', KEY] });

  before(async () => {
    sandbox = await startDynamics();
    client = clientOf(sandbox);
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        try {
          events.push(verifier.verify({ headers: req.headers, url: req.url ?? '', rawBody: raw }));
          res.writeHead(204).end();
        } catch (err) {
          refused.push(err instanceof InterlockError ? err.code : String(err));
          res.writeHead(401).end();
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/webhooks/dynamics`;
  });
  after(async () => {
    await client.close();
    await sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const waitFor = async (count: number): Promise<void> => {
    for (let i = 0; i < 400 && events.length < count; i++) await new Promise((r) => setTimeout(r, 25));
  };

  it('registers idempotently and turns a won opportunity into a typed, verified Update event', async () => {
    const input = { name: 'Interlock', url, key: KEY, table: 'opportunity', messages: ['Update'] as const, filteringAttributes: ['statecode'] };
    const endpoint = await registerWebhook(client, input);
    assert.equal(await registerWebhook(client, input), endpoint);
    const steps = [];
    for await (const s of queryRecords(client, { entitySet: 'sdkmessageprocessingsteps', select: ['name'] })) steps.push(s['name']);
    assert.deepEqual(steps, ['Interlock: Update of opportunity']);

    let id = '';
    for await (const r of queryRecords(client, { entitySet: 'opportunities', select: ['opportunityid'], filter: `name eq ${literal('Fabrikam cooling loop valves')}` })) id = String(r['opportunityid']);
    await client.api({ method: 'POST', path: 'WinOpportunity', json: { Status: 3, OpportunityClose: { subject: 'Won', 'opportunityid@odata.bind': `/opportunities(${id})` } } });
    await waitFor(1);
    assert.deepEqual(refused, []);
    const event = events[0] as DynamicsChangeEvent;
    assert.equal(event.message, 'Update');
    assert.equal(event.entity, 'opportunity');
    assert.equal(event.recordId, id);
    assert.equal(event.changed['statecode'], 1);
    assert.equal(event.changed['statuscode'], 3);
    assert.equal(event.postImage?.['name'], 'Fabrikam cooling loop valves');
    assert.equal(typeof event.postImage?.['totalamount'], 'number');
    assert.deepEqual(Object.keys(event.postImage?.['customerid'] as object).sort(), ['id', 'logicalName']);
    assert.equal(typeof event.version, 'number');
    assert.match(new Date(event.occurredAt ?? 0).toISOString(), /^20\d\d-/);
  });

  it('delivers a duplicate with the same event id, so the inbox can drop it', async () => {
    events.length = 0;
    await patchFaults(sandbox, { duplicateEventRate: 1 });
    let id = '';
    for await (const r of queryRecords(client, { entitySet: 'opportunities', select: ['opportunityid'], filter: `name eq ${literal('Adventure Works seal kit restock')}` })) id = String(r['opportunityid']);
    await client.api({ method: 'POST', path: 'LoseOpportunity', json: { Status: 4, OpportunityClose: { 'opportunityid@odata.bind': `/opportunities(${id})` } } });
    await waitFor(2);
    assert.equal(events.length, 2);
    assert.equal(events[0]?.id, events[1]?.id);
    assert.equal(events[0]?.changed['statecode'], 2);
  });

  it('refuses a missing or wrong key as auth, and a body that is not an execution context as validation', () => {
    const body = JSON.stringify({ MessageName: 'Create', PrimaryEntityName: 'account', PrimaryEntityId: '0b7b1c55-1a2b-4c3d-8e9f-001122334455', OperationId: '6f3c2a10-98b1-4f0e-a2c4-5d6e7f809102' });
    assert.throws(() => verifier.verify({ headers: {}, url: '/hook', rawBody: body }), (e) => e instanceof InterlockError && e.code === 'auth');
    assert.throws(() => verifier.verify({ headers: {}, url: '/hook?code=nope', rawBody: body }), (e) => e instanceof InterlockError && e.code === 'auth');
    assert.equal(verifier.verify({ headers: {}, url: '/hook?code=an-older-key', rawBody: body }).entity, 'account');
    const byHeader = new DynamicsWebhookVerifier({ keys: [KEY], auth: { kind: 'http-header', name: 'X-Interlock-Key' } });
    assert.equal(byHeader.verify({ headers: { 'x-interlock-key': KEY }, url: '/hook', rawBody: body }).message, 'Create');
    assert.throws(() => verifier.verify({ headers: {}, url: `/hook?code=${KEY}`, rawBody: '{"hello":1}' }), (e) => e instanceof InterlockError && e.code === 'validation');
    assert.throws(() => new DynamicsWebhookVerifier({ keys: [] }), (e) => e instanceof InterlockError && e.code === 'validation');
  });

  it('flattens Money, OptionSetValue, EntityReference and /Date()/ values', () => {
    const C = 'http://schemas.microsoft.com/xrm/2011/Contracts';
    const event = parseExecutionContext(JSON.stringify({
      MessageName: 'Create', PrimaryEntityName: 'salesorder', PrimaryEntityId: 'AB000000-0000-4000-A000-000000000001', RequestId: 'cd000000-0000-4000-a000-000000000002',
      OperationCreatedOn: '/Date(1767225600000+0000)/',
      InputParameters: [{ key: 'Target', value: { __type: `Entity:${C}`, RowVersion: '1000777', Attributes: [
        { key: 'totalamount', value: { __type: `Money:${C}`, Value: 12.5 } },
        { key: 'statecode', value: { __type: `OptionSetValue:${C}`, Value: 0 } },
        { key: 'customerid', value: { __type: `EntityReference:${C}`, Id: 'EF000000-0000-4000-A000-000000000003', LogicalName: 'account', Name: null } },
        { key: 'submitdate', value: '/Date(1767225600000)/' },
        { key: 'name', value: 'Order 1' },
      ] } }],
    }));
    assert.equal(event.id, 'cd000000-0000-4000-a000-000000000002');
    assert.equal(event.recordId, 'ab000000-0000-4000-a000-000000000001');
    assert.deepEqual(event.changed, { totalamount: 12.5, statecode: 0, customerid: { id: 'ef000000-0000-4000-a000-000000000003', logicalName: 'account' }, submitdate: '2026-01-01T00:00:00.000Z', name: 'Order 1' });
    assert.equal(event.version, 1000777);
    assert.equal(event.occurredAt, 1767225600000);
  });
});
