import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../core/clock.ts';
import { InterlockError } from '../../core/errors.ts';
import type { SandboxInstance } from '../../sandboxes/kit/index.ts';
import { createNetSuiteSandbox } from '../../sandboxes/netsuite/netsuite-sandbox.ts';
import type { NetSuiteClient } from './client.ts';
import { clientOf, credentialsOf, patchFaults, startNetSuite } from './test-support.ts';

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

const customer = { method: 'GET', path: 'record/v1/customer/eid:ACME-001' } as const;

describe('NetSuiteClient', () => {
  let sandbox: SandboxInstance;
  let client: NetSuiteClient;

  before(async () => {
    sandbox = await startNetSuite();
    client = await clientOf(sandbox);
  });
  after(async () => {
    await client.close();
    await sandbox.close();
  });

  it('signs in with an ES256 client assertion and reads a record', async () => {
    const res = await client.rest<{ companyName: string }>(customer);
    assert.equal(res.body.companyName, 'Acme Corporation');
  });

  it('signs in with a PS256 assertion when the certificate is RSA', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaSandbox = await createNetSuiteSandbox({ publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() }).start({ host: '127.0.0.1', port: 0, seed: true });
    const rsa = await clientOf(sandbox, {
      baseUrl: rsaSandbox.url,
      credentials: { clientId: 'interlock-netsuite-client', certificateId: 'interlock-sandbox-cert', privateKey, algorithm: 'PS256' },
    });
    try {
      const res = await rsa.rest<{ companyName: string }>(customer);
      assert.equal(res.body.companyName, 'Acme Corporation');
    } finally {
      await rsa.close();
      await rsaSandbox.close();
    }
  });

  it('refuses an assertion signed by another key, or with another certificate id, as auth', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const wrongKey = await clientOf(sandbox, { credentials: { ...(await credentialsOf(sandbox)), privateKey: other } });
    const wrongKid = await clientOf(sandbox, { credentials: { ...(await credentialsOf(sandbox)), certificateId: 'not-the-cert' } });
    try {
      await rejects(wrongKey.rest(customer), 'auth', 'invalid_client');
      await rejects(wrongKid.rest(customer), 'auth', 'invalid_client');
    } finally {
      await wrongKey.close();
      await wrongKid.close();
    }
  });

  it('fetches a new token and retries once when NetSuite refuses the cached one', async () => {
    await patchFaults(sandbox, { tokenTtlSeconds: 1 });
    // A clock that stands still: the cache believes its token is good, only NetSuite knows better.
    const stale = await clientOf(sandbox, { clock: new ManualClock(Date.now()), tokenRefreshMarginMs: 0 });
    try {
      await stale.rest(customer);
      await patchFaults(sandbox, { tokenTtlSeconds: null });
      await sleep(1100);
      const res = await stale.rest<{ companyName: string }>(customer);
      assert.equal(res.body.companyName, 'Acme Corporation');
    } finally {
      await patchFaults(sandbox, { tokenTtlSeconds: null });
      await stale.close();
    }
  });

  it('translates the concurrency limit into rate-limited', async () => {
    await patchFaults(sandbox, { rateLimit: { burst: 1 } });
    await rejects(client.rest(customer), 'rate-limited', 'CONCURRENCY_LIMIT_EXCEEDED');
    await client.rest(customer);
  });

  it('translates server errors and maintenance into transient', async () => {
    await patchFaults(sandbox, { errorRate: 1 });
    await rejects(client.rest(customer), 'transient', 'UNEXPECTED_ERROR');
    await patchFaults(sandbox, { errorRate: 0, maintenance: true });
    await rejects(client.rest(customer), 'transient');
    await patchFaults(sandbox, { maintenance: false });
    await client.rest(customer);
  });

  it('translates o:errorDetails into the taxonomy with the field path', async () => {
    await rejects(client.rest({ method: 'GET', path: 'record/v1/customer/eid:NOBODY' }), 'not-found', 'NONEXISTENT_ID');
    const e = await rejects(
      client.rest({ method: 'PATCH', path: 'record/v1/customer/eid:ACME-001', json: { noSuchField: 1 } }),
      'validation',
      'INVALID_CONTENT',
    );
    assert.equal(e.details?.['path'], 'noSuchField');
  });
});
