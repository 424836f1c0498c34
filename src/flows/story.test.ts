import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../core/config.ts';
import { storyOptions } from './story.ts';


const env = {};
const four = {
  salesforce: { loginUrl: 'https://login.salesforce.com', clientId: 'cid', clientSecret: 'secret://sf' },
  netsuite: { baseUrl: 'https://123.suitetalk.api.netsuite.com', clientId: 'c', certificateId: 'k', privateKey: 'secret://ns-key' },
  stripe: { secretKey: 'sk_live_abc' },
  avalara: { accountId: '1', licenseKey: 'secret://ava' },
};

describe('connectors configuration', () => {
  it('runs no story without connectors', () => {
    assert.equal(storyOptions(loadConfig({ values: {}, env })), undefined);
  });

  it('builds the four clients with defaults, the outbound allow-list and the business settings', () => {
    const config = loadConfig({ values: { connectors: four, outbound: { allow: ['10.0.0.0/8'] }, flows: { leadToOrder: { discountApprovalThresholdPercent: 15 } } }, env });
    assert.equal(config.connectors.salesforce?.changeDataCapture.startFrom, 'LATEST');
    assert.equal(config.connectors.salesforce?.changeDataCapture.enabled, true);
    const options = storyOptions(config);
    assert.deepEqual(options?.salesforce.credentials, { kind: 'client-credentials', clientId: 'cid', clientSecret: 'secret://sf' });
    assert.equal(options?.netsuite.credentials.algorithm, 'ES256');
    assert.deepEqual(options?.stripe, { secretKey: 'sk_live_abc', allow: ['10.0.0.0/8'] });
    assert.deepEqual(options?.config, { discountApprovalThresholdPercent: 15 });
  });

  it('refuses half a set of systems, naming the missing ones', () => {
    assert.throws(
      () => loadConfig({ values: { connectors: { salesforce: four.salesforce, stripe: four.stripe } }, env }),
      /key "connectors" has salesforce, stripe but not netsuite, avalara/,
    );
  });

  it('refuses Salesforce credentials that fit neither sign-in flow', () => {
    const { clientSecret: _, ...noSecret } = four.salesforce;
    assert.throws(() => loadConfig({ values: { connectors: { ...four, salesforce: noSecret } }, env }), /connectors.salesforce" needs clientSecret/);
  });

  it('names a bad key', () => {
    assert.throws(() => loadConfig({ values: { connectors: { ...four, stripe: { secretKey: 'pk_test_1' } } }, env }), /key "connectors.stripe.secretKey" has "pk_test_1"/);
    assert.throws(() => loadConfig({ values: { flows: { leadToOrder: { discountApprovalThresholdPercent: 120 } } }, env }), /flows.leadToOrder.discountApprovalThresholdPercent/);
  });
});
