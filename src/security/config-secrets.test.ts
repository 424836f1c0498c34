import assert from 'node:assert/strict';
import { it } from 'node:test';
import { systemClock } from '../core/clock.ts';
import { loadConfig } from '../core/config.ts';
import { describeEachStore } from '../../test/support/stores.ts';
import { AuditLog } from './audit-log.ts';
import { resolveConfigSecrets } from './config-secrets.ts';
import { generateMasterKey, parseMasterKey } from './master-key.ts';
import { Secrets } from './secrets.ts';

describeEachStore('configuration secret references', (get) => {
  const master = generateMasterKey();
  const values = {
    sources: { billing: { eventId: { path: 'id' }, routes: [{ destination: 'erp' }], signature: { scheme: 'stripe', secrets: ['secret://billing-hook', 'whsec_plain_old'] } } },
    destinations: { erp: { url: 'http://127.0.0.1:9/erp', headers: { authorization: 'secret://erp-token' } } },
  };

  it('resolves every reference at start, leaving other values alone', async () => {
    const { store } = get();
    const secrets = new Secrets(store, new AuditLog(store, systemClock), systemClock, parseMasterKey(master, 'test'));
    await secrets.set('billing-hook', 'whsec_from_store', 'test');
    await secrets.set('erp-token', 'Bearer erp-123', 'test');
    const config = loadConfig({ values, env: {} });
    const resolved = await resolveConfigSecrets(config, store, { env: { INTERLOCK_MASTER_KEY: master } });
    assert.deepEqual(resolved.sources.billing?.signature?.secrets, ['whsec_from_store', 'whsec_plain_old']);
    assert.equal(resolved.destinations.erp?.headers.authorization, 'Bearer erp-123');
    assert.equal(resolved.destinations.erp?.url, 'http://127.0.0.1:9/erp');
    assert.ok(Object.isFrozen(resolved.destinations.erp), 'still frozen');
  });

  it('needs no master key when nothing is referenced, and names the variable when one is', async () => {
    const plain = loadConfig({ values: {}, env: {} });
    assert.equal(await resolveConfigSecrets(plain, get().store, { env: {} }), plain);
    await assert.rejects(resolveConfigSecrets(loadConfig({ values, env: {} }), get().store, { env: {} }), /no master key: set INTERLOCK_MASTER_KEY/);
  });
});
