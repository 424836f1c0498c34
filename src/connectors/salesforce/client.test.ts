import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { InterlockError } from '../../core/errors.ts';
import type { SandboxInstance } from '../../sandboxes/kit/index.ts';
import { defaultAudience } from './auth.ts';
import { parseLimitInfo } from './client.ts';
import type { SalesforceClient } from './client.ts';
import { clientOf, patchFaults, startSalesforce } from './test-support.ts';

async function rejects(promise: Promise<unknown>, code: string, errorCode?: string): Promise<InterlockError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof InterlockError, `expected an InterlockError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (errorCode !== undefined) assert.equal(err.details?.['errorCode'], errorCode);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('SalesforceClient', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let sandbox: SandboxInstance;
  let client: SalesforceClient;

  before(async () => {
    sandbox = await startSalesforce({ jwtPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    client = clientOf(sandbox);
  });
  after(async () => {
    await client.close();
    await sandbox.close();
  });

  it('signs in by client credentials and calls the instance URL', async () => {
    const res = await client.rest<{ totalSize: number }>({ method: 'GET', path: 'query', query: { q: 'SELECT Id FROM Account' } });
    assert.equal(res.body.totalSize, 4);
  });

  it('signs in by JWT bearer with an RS256 assertion', async () => {
    const jwt = clientOf(sandbox, {
      credentials: { kind: 'jwt-bearer', clientId: 'interlock-sandbox-client', username: 'integration@interlock.sandbox', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    });
    try {
      const res = await jwt.rest<{ totalSize: number }>({ method: 'GET', path: 'query', query: { q: 'SELECT Id FROM Opportunity' } });
      assert.equal(res.body.totalSize, 4);
    } finally {
      await jwt.close();
    }
  });

  it('addresses JWT assertions to the production or sandbox login by the login host', () => {
    assert.equal(defaultAudience('https://acme.my.salesforce.com'), 'https://login.salesforce.com');
    assert.equal(defaultAudience('https://login.salesforce.com'), 'https://login.salesforce.com');
    assert.equal(defaultAudience('https://test.salesforce.com'), 'https://test.salesforce.com');
    assert.equal(defaultAudience('https://acme--uat.sandbox.my.salesforce.com'), 'https://test.salesforce.com');
  });

  it('refuses a JWT signed by a key the connected app does not hold, as auth', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const jwt = clientOf(sandbox, { credentials: { kind: 'jwt-bearer', clientId: 'interlock-sandbox-client', username: 'integration@interlock.sandbox', privateKey: other } });
    try {
      await rejects(jwt.rest({ method: 'GET', path: 'limits' }), 'auth', 'invalid_grant');
    } finally {
      await jwt.close();
    }
  });

  it('refuses wrong client credentials as auth', async () => {
    const bad = clientOf(sandbox, { credentials: { kind: 'client-credentials', clientId: 'interlock-sandbox-client', clientSecret: 'wrong' } });
    try {
      await rejects(bad.rest({ method: 'GET', path: 'limits' }), 'auth');
    } finally {
      await bad.close();
    }
  });

  it('fetches a new token and retries once when the session has expired', async () => {
    await patchFaults(sandbox, { tokenTtlSeconds: 1 });
    const shortLived = clientOf(sandbox);
    try {
      await shortLived.rest({ method: 'GET', path: 'limits' });
      await patchFaults(sandbox, { tokenTtlSeconds: null });
      // Let the one-second session lapse; the cached token is now refused with INVALID_SESSION_ID.
      await sleep(1100);
      const res = await shortLived.rest<{ totalSize: number }>({ method: 'GET', path: 'query', query: { q: 'SELECT Id FROM Account' } });
      assert.equal(res.body.totalSize, 4);
    } finally {
      await patchFaults(sandbox, { tokenTtlSeconds: null });
      await shortLived.close();
    }
  });

  it('reports the latest Sforce-Limit-Info usage', async () => {
    await client.rest({ method: 'GET', path: 'limits' });
    const first = client.apiUsage;
    assert.ok(first !== undefined && first.max === 100_000 && first.used > 0);
    await client.rest({ method: 'GET', path: 'limits' });
    assert.equal(client.apiUsage?.used, first.used + 1);
    assert.deepEqual(parseLimitInfo('api-usage=18/5000; api-bursts=1/750'), { used: 18, max: 5000 });
    assert.equal(parseLimitInfo(undefined), undefined);
  });

  it('translates REQUEST_LIMIT_EXCEEDED into rate-limited', async () => {
    await patchFaults(sandbox, { rateLimit: { burst: 1 } });
    await rejects(client.rest({ method: 'GET', path: 'limits' }), 'rate-limited', 'REQUEST_LIMIT_EXCEEDED');
    await client.rest({ method: 'GET', path: 'limits' });
  });

  it('translates server errors and maintenance into transient', async () => {
    await patchFaults(sandbox, { errorRate: 1 });
    await rejects(client.rest({ method: 'GET', path: 'limits' }), 'transient', 'UNKNOWN_EXCEPTION');
    await patchFaults(sandbox, { errorRate: 0, maintenance: true });
    await rejects(client.rest({ method: 'GET', path: 'limits' }), 'transient', 'SERVER_UNAVAILABLE');
    await patchFaults(sandbox, { maintenance: false });
  });

  it('translates query and field errors into validation, missing records into not-found', async () => {
    await rejects(client.rest({ method: 'GET', path: 'query', query: { q: 'SELEC Id FROM Account' } }), 'validation', 'MALFORMED_QUERY');
    await rejects(client.rest({ method: 'GET', path: 'query', query: { q: 'SELECT Nope__c FROM Account' } }), 'validation', 'INVALID_FIELD');
    await rejects(client.rest({ method: 'GET', path: 'sobjects/Account/001000000000999AAA' }), 'not-found');
  });
});
