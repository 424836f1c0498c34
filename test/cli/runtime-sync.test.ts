/**
 * `sync` in the configuration: the scheduled batch syncs `start` and `worker` run when the
 * connectors are configured, with schedules that are checked at start-up.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openRuntime } from '../../src/cli/runtime.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'interlock-runtime-sync-'));
const connectors = {
  salesforce: { loginUrl: 'https://login.salesforce.com', clientId: 'c', clientSecret: 's', changeDataCapture: { enabled: false } },
  netsuite: { baseUrl: 'https://1.suitetalk.api.netsuite.com', clientId: 'c', certificateId: 'k', privateKey: 'pem' },
  stripe: { secretKey: 'sk_test_x' },
  avalara: { accountId: '1', licenseKey: 'l' },
};
const values = (sync: unknown) => ({ store: { sqlite: { path: path.join(dir, 'i.db') } }, log: { level: 'silent' }, connectors, sync });

describe('sync schedules in the configuration', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a schedule for a sync that does not exist, naming the key and the syncs', async () => {
    await assert.rejects(openRuntime({ values: values({ schedules: { invoices: '*/5 * * * *' } }) }), /key "sync.schedules.invoices" names no sync; syncs: customers, products, price-books/);
  });

  it('refuses a schedule that is not a cron expression, naming the key', async () => {
    await assert.rejects(openRuntime({ values: values({ schedules: { customers: 'every five minutes' } }) }), /sync.schedules.customers: "every five minutes" is not a cron expression/);
  });

  it('opens with valid schedules, and with syncs turned off', async () => {
    for (const sync of [{ schedules: { customers: '*/5 * * * *' } }, { enabled: false }]) {
      const rt = await openRuntime({ values: values(sync) });
      await rt.close();
    }
  });
});
