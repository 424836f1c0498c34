/**
 * DynamicsClient against the sandbox: sign-in and token reuse, a fresh token after a 401, and
 * Dataverse failures in the error taxonomy (429 with Retry-After, OData error codes, identity
 * platform errors, 5xx).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InterlockError } from '../../core/errors.ts';
import { createDynamicsSandbox } from '../../sandboxes/dynamics/dynamics-sandbox.ts';
import type { SandboxInstance } from '../../sandboxes/kit/index.ts';
import type { DynamicsClient } from './client.ts';
import { entityIdOf } from './client.ts';
import { clientOf, patchFaults, SANDBOX_APP, startDynamics } from './test-support.ts';

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

describe('DynamicsClient', () => {
  let sandbox: SandboxInstance;
  let client: DynamicsClient;

  before(async () => {
    sandbox = await startDynamics();
    client = clientOf(sandbox);
  });
  after(async () => {
    await client.close();
    await sandbox.close();
  });

  it('signs in by client credentials and sends OData calls under /api/data/v9.2/', async () => {
    const res = await client.api<{ value: unknown[] }>({ method: 'GET', path: 'accounts', query: { $select: 'name' } });
    assert.equal(res.body.value.length, 3);
    const created = await client.api({ method: 'POST', path: 'contacts', json: { firstname: 'Ada', lastname: 'Lovelace' } });
    assert.equal(created.status, 204);
    assert.match(entityIdOf(created) ?? '', /^[0-9a-f-]{36}$/);
  });

  it('fetches a fresh token once when Dataverse answers 401 for the cached one', async () => {
    // A restarted environment knows none of the tokens it issued before: the cached one gets a 401.
    const first = await createDynamicsSandbox().start({ host: '127.0.0.1', port: 0 });
    const port = Number(new URL(first.url).port);
    const restarting = clientOf(first);
    try {
      await restarting.api({ method: 'GET', path: 'WhoAmI' });
      await first.close();
      const second = await createDynamicsSandbox().start({ host: '127.0.0.1', port });
      try {
        const res = await restarting.api<{ UserId: string }>({ method: 'GET', path: 'WhoAmI' });
        assert.match(res.body.UserId, /^[0-9a-f-]{36}$/);
      } finally {
        await second.close();
      }
    } finally {
      await restarting.close();
    }
  });

  it('turns the service-protection 429 into rate-limited with Retry-After in ms', async () => {
    await patchFaults(sandbox, { rateLimit: { burst: 1 } });
    const err = await rejects(client.api({ method: 'GET', path: 'accounts' }), 'rate-limited', '0x80072322');
    assert.equal(err.retryAfterMs, 1000);
    assert.ok(err.retryable);
  });

  it('classifies OData errors: not found, validation, conflicts on preconditions', async () => {
    await rejects(client.api({ method: 'GET', path: 'accounts(00000000-0000-0000-0000-000000000001)' }), 'not-found', '0x80040217');
    await rejects(client.api({ method: 'GET', path: 'accounts', query: { $select: 'nosuch' } }), 'validation', '0x80060888');
    await rejects(client.api({ method: 'PATCH', path: "accounts(accountnumber='CUST-1001')", json: { name: 'x' }, headers: { 'if-none-match': '*' } }), 'conflict', '0x80040237');
  });

  it('classifies a 5xx as transient and a refused sign-in as auth', async () => {
    await patchFaults(sandbox, { errorRate: 1 });
    try {
      await rejects(client.api({ method: 'GET', path: 'accounts' }), 'transient');
    } finally {
      await patchFaults(sandbox, { errorRate: 0 });
    }
    const wrong = clientOf(sandbox, { credentials: { ...SANDBOX_APP, clientSecret: 'wrong' } });
    try {
      await rejects(wrong.api({ method: 'GET', path: 'accounts' }), 'auth', 'invalid_client');
    } finally {
      await wrong.close();
    }
  });
});
