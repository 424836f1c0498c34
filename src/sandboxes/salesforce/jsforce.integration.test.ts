/**
 * Fidelity with jsforce v3, unchanged but for its login URL: OAuth2 username-password,
 * client-credentials and JWT-bearer sign-in (and its OAuth error surfacing),
 * sObject Collections create/update, SOQL with autoFetch across several pages, upsert by external
 * id (created, then updated), and a CDC subscriber resuming from a replay id with jsforce's token.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import jsforce from 'jsforce';
import { SignJWT } from 'jose';
import type { SandboxInstance } from '../kit/index.ts';
import { createSalesforceSandbox, salesforceSandbox } from './salesforce-sandbox.ts';

interface Fetched {
  events: Array<{ event: { payload: Record<string, unknown> }; replayId: string }>;
  latestReplayId: string;
}

describe('jsforce against the Salesforce sandbox', () => {
  let sb: SandboxInstance;
  let conn: InstanceType<typeof jsforce.Connection>;

  before(async () => {
    sb = await salesforceSandbox.start({ seed: true });
    conn = new jsforce.Connection({
      oauth2: { clientId: 'interlock-sandbox-client', clientSecret: 'interlock-sandbox-secret', loginUrl: sb.url },
    });
  });
  after(() => sb.close());

  it('logs in through the OAuth2 password flow', async () => {
    const user = await conn.login('integration@interlock.sandbox', 'sandbox');
    assert.equal(conn.instanceUrl, sb.url);
    assert.match(user.organizationId, /^00D/);
    assert.match(user.id, /^005/);
  });

  it('creates records through sObject Collections and reads them back with autoFetch paging', async () => {
    const contacts = Array.from({ length: 450 }, (_, i) => ({ LastName: `JS ${String(i).padStart(3, '0')}` }));
    const created = await conn.sobject('Contact').create(contacts, { allowRecursive: true });
    assert.equal(created.length, 450);
    assert.ok(created.every((r) => r.success));
    let pages = 0;
    const query = conn.query<{ Id: string; LastName: string }>("SELECT Id, LastName FROM Contact WHERE LastName LIKE 'JS %' ORDER BY LastName", {
      autoFetch: true,
      maxFetch: 10_000,
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
    });
    query.on('fetch', () => {
      pages += 1;
    });
    const result = await query.run();
    assert.equal(pages, 3);
    assert.equal(result.totalSize, 450);
    assert.equal(query.records.length, 450);
    assert.equal(query.records[449]?.LastName, 'JS 449');

    const ids = created.slice(0, 3).map((r) => r.id as string);
    const updated = await conn.sobject('Contact').update(ids.map((Id) => ({ Id, Title: 'Buyer' })));
    assert.ok(updated.every((r) => r.success));
    const titles = await conn.query<{ Title: string }>(`SELECT Title FROM Contact WHERE Id IN ('${ids.join("','")}')`);
    assert.deepEqual(titles.records.map((r) => r.Title), ['Buyer', 'Buyer', 'Buyer']);
  });

  it('upserts by external id: created first, updated after', async () => {
    const first = await conn.sobject('Account').upsert({ Name: 'Jsforce Co', External_Id__c: 'JSF-1' }, 'External_Id__c');
    assert.equal(first.success, true);
    assert.equal((first as { created?: boolean }).created, true);
    const second = await conn.sobject('Account').upsert({ Name: 'Jsforce Co 2', External_Id__c: 'JSF-1' }, 'External_Id__c');
    assert.equal((second as { created?: boolean }).created, false);
    assert.equal(second.id, first.id);
    const many = await conn.sobject('Account').upsert(
      [
        { Name: 'Jsforce Co 3', External_Id__c: 'JSF-1' },
        { Name: 'Jsforce Two', External_Id__c: 'JSF-2' },
      ],
      'External_Id__c',
    );
    assert.deepEqual(many.map((r) => (r as { created?: boolean }).created), [false, true]);
  });

  it('lets a CDC subscriber resume from a replay id with the session jsforce holds', async () => {
    const subscribe = async (request: Record<string, unknown>): Promise<Fetched> => {
      const res = await fetch(`${sb.url}/eventbus.v1.PubSub/Fetch`, {
        method: 'POST',
        headers: { accesstoken: conn.accessToken ?? '', instanceurl: conn.instanceUrl, 'content-type': 'application/json' },
        body: JSON.stringify({ topicName: '/data/AccountChangeEvent', waitMs: 0, ...request }),
      });
      assert.equal(res.status, 200);
      return (await res.json()) as Fetched;
    };
    const history = await subscribe({ replayPreset: 'EARLIEST' });
    const names = history.events.map((e) => e.event.payload['Name']);
    assert.deepEqual(names, ['Jsforce Co', 'Jsforce Co 2', 'Jsforce Co 3', 'Jsforce Two']);
    const account = await conn.sobject('Account').findOne({ External_Id__c: 'JSF-2' }, ['Id']);
    await conn.sobject('Account').update({ Id: account?.Id as string, Phone: '+1 555 0100' });
    const resumed = await subscribe({ replayPreset: 'CUSTOM', replayId: history.latestReplayId });
    assert.equal(resumed.events.length, 1);
    const header = resumed.events[0]?.event.payload['ChangeEventHeader'] as { changeType: string; recordIds: string[] };
    assert.deepEqual([header.changeType, header.recordIds], ['UPDATE', [account?.Id]]);
    assert.equal(resumed.events[0]?.event.payload['Phone'], '+1 555 0100');
  });

  it('authorizes with client credentials and a JWT bearer assertion through jsforce, and surfaces OAuth errors', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwtSandbox = await createSalesforceSandbox({ jwtPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() }).start();
    try {
      const oauth2 = { clientId: 'interlock-sandbox-client', clientSecret: 'interlock-sandbox-secret', loginUrl: jwtSandbox.url };
      const byClient = new jsforce.Connection({ oauth2 });
      await byClient.authorize({ grant_type: 'client_credentials' });
      assert.equal(byClient.instanceUrl, jwtSandbox.url);
      assert.ok(Array.isArray((await byClient.describeGlobal()).sobjects));

      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(oauth2.clientId)
        .setSubject('integration@interlock.sandbox')
        .setAudience('https://login.salesforce.com')
        .setExpirationTime(Math.floor(Date.now() / 1000) + 180)
        .sign(privateKey);
      const byJwt = new jsforce.Connection({ oauth2 });
      await byJwt.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
      const count = await byJwt.query('SELECT COUNT() FROM Account');
      assert.equal(count.totalSize, 0);

      const wrong = new jsforce.Connection({ oauth2: { ...oauth2, clientSecret: 'wrong' } });
      await assert.rejects(wrong.login('integration@interlock.sandbox', 'sandbox'), (err: Error) => err.name === 'invalid_client' && err.message === 'invalid client credentials');
    } finally {
      await jwtSandbox.close();
    }
  });
});
