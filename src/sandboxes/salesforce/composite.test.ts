/**
 * `POST /composite`: subrequests in order with `@{ref.id}` references, always 200 with one entry
 * per subrequest, counted as one API call; `allOrNone` rolls every subrequest back (and publishes
 * no change events) when one fails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SandboxInstance } from '../kit/index.ts';
import { salesforceSandbox } from './salesforce-sandbox.ts';

interface Entry {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

describe('Salesforce composite', () => {
  let sb: SandboxInstance;
  let token: string;
  const api = '/services/data/v61.0';
  const post = async (path: string, body: unknown): Promise<{ status: number; headers: Headers; body: unknown }> => {
    const res = await fetch(`${sb.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, headers: res.headers, body: await res.json() };
  };
  const count = async (name: string): Promise<number> => {
    const res = await fetch(`${sb.url}${api}/query?q=${encodeURIComponent(`SELECT COUNT() FROM Account WHERE Name = '${name}'`)}`, { headers: { authorization: `Bearer ${token}` } });
    return ((await res.json()) as { totalSize: number }).totalSize;
  };

  before(async () => {
    sb = await salesforceSandbox.start({ seed: true });
    const res = await fetch(`${sb.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=interlock-sandbox-client&client_secret=interlock-sandbox-secret',
    });
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  after(() => sb.close());

  it('runs subrequests in order, resolving references, as one API call', async () => {
    const res = await post(`${api}/composite`, {
      compositeRequest: [
        { method: 'POST', url: `${api}/sobjects/Account`, referenceId: 'newAccount', body: { Name: 'Composite Co' } },
        { method: 'POST', url: `${api}/sobjects/Contact`, referenceId: 'newContact', body: { LastName: 'Buyer', AccountId: '@{newAccount.id}' } },
        { method: 'GET', url: `${api}/sobjects/Contact/@{newContact.id}?fields=AccountId`, referenceId: 'readBack' },
      ],
    });
    assert.equal(res.status, 200);
    const entries = (res.body as { compositeResponse: Entry[] }).compositeResponse;
    assert.deepEqual(entries.map((e) => [e.referenceId, e.httpStatusCode]), [['newAccount', 201], ['newContact', 201], ['readBack', 200]]);
    const accountId = (entries[0]?.body as { id: string }).id;
    assert.equal(entries[0]?.httpHeaders['Location'], `${api}/sobjects/Account/${accountId}`);
    assert.equal((entries[2]?.body as { AccountId: string }).AccountId, accountId);
    // The first REST call of this sandbox: the composite counts once, its three subrequests not at all.
    assert.match(res.headers.get('sforce-limit-info') ?? '', /^api-usage=1\//);
  });

  it('rolls everything back under allOrNone, reporting PROCESSING_HALTED for the rest', async () => {
    const latest = await post('/eventbus.v1.PubSub/Fetch', { topicName: '/data/AccountChangeEvent', replayPreset: 'LATEST', waitMs: 0 });
    const res = await post(`${api}/composite`, {
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: `${api}/sobjects/Account`, referenceId: 'ok', body: { Name: 'Rolled Back Co' } },
        { method: 'POST', url: `${api}/sobjects/Opportunity`, referenceId: 'bad', body: { Name: 'No stage', AccountId: '@{ok.id}' } },
        { method: 'PATCH', url: `${api}/sobjects/Account/@{ok.id}`, referenceId: 'never', body: { Phone: '1' } },
      ],
    });
    const entries = (res.body as { compositeResponse: Entry[] }).compositeResponse;
    assert.deepEqual(entries.map((e) => e.httpStatusCode), [400, 400, 400]);
    assert.deepEqual(entries.map((e) => (e.body as Array<{ errorCode: string }>)[0]?.errorCode), ['PROCESSING_HALTED', 'REQUIRED_FIELD_MISSING', 'PROCESSING_HALTED']);
    assert.equal(await count('Rolled Back Co'), 0);
    const events = await post('/eventbus.v1.PubSub/Fetch', { topicName: '/data/AccountChangeEvent', replayPreset: 'CUSTOM', replayId: (latest.body as { latestReplayId: string }).latestReplayId, waitMs: 0 });
    assert.equal((events.body as { events: unknown[] }).events.length, 0);
  });

  it('keeps earlier work without allOrNone and halts subrequests whose reference failed', async () => {
    const res = await post(`${api}/composite`, {
      compositeRequest: [
        { method: 'POST', url: `${api}/sobjects/Account`, referenceId: 'kept', body: { Name: 'Kept Co' } },
        { method: 'POST', url: `${api}/sobjects/Account`, referenceId: 'broken', body: {} },
        { method: 'PATCH', url: `${api}/sobjects/Account/@{broken.id}`, referenceId: 'dependent', body: { Phone: '1' } },
      ],
    });
    const entries = (res.body as { compositeResponse: Entry[] }).compositeResponse;
    assert.deepEqual(entries.map((e) => e.httpStatusCode), [201, 400, 400]);
    assert.equal((entries[2]?.body as Array<{ errorCode: string }>)[0]?.errorCode, 'PROCESSING_HALTED');
    assert.equal(await count('Kept Co'), 1);
  });

  it('refuses malformed composite requests with a top-level 400', async () => {
    const forbidden = await post(`${api}/composite`, { compositeRequest: [{ method: 'GET', url: `${api}/limits`, referenceId: 'x', httpHeaders: { Authorization: 'Bearer other' } }] });
    assert.equal(forbidden.status, 400);
    const tooMany = await post(`${api}/composite`, { compositeRequest: Array.from({ length: 26 }, (_, i) => ({ method: 'GET', url: `${api}/limits`, referenceId: `r${i}` })) });
    assert.equal(tooMany.status, 400);
    assert.equal((await post(`${api}/composite`, { compositeRequest: 'nope' })).status, 400);
  });
});
