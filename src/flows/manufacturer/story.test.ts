import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../core/config.ts';
import type { Store } from '../../store/store.ts';
import { builtInFlows } from '../index.ts';
import { manufacturerOptions, openManufacturerSystems } from './story.ts';

const env = {};
const three = {
  dynamics: { environmentUrl: 'https://contoso.crm4.dynamics.com', tenantId: 't', clientId: 'c', clientSecret: 'secret://d365', webhook: { key: 'secret://d365-hook', url: 'https://interlock.example/hooks/dynamics' } },
  sap: { baseUrl: 'https://my123456-api.s4hana.cloud.sap', username: 'COMM', password: 'secret://sap', eventMesh: { secret: 'Bearer mesh' } },
  avalara: { accountId: '1', licenseKey: 'secret://ava' },
};

describe('manufacturer connectors configuration', () => {
  it('runs no manufacturer flows without Dynamics 365', () => {
    assert.equal(manufacturerOptions(loadConfig({ values: { connectors: { sap: three.sap } }, env })), undefined);
  });

  it('builds the three clients with the outbound allow-list and the business settings', () => {
    const config = loadConfig({ values: { connectors: three, outbound: { allow: ['10.0.0.0/8'] }, flows: { manufacturer: { currencies: ['EUR'], publishTo: 'analytics' } } }, env });
    const options = manufacturerOptions(config);
    assert.deepEqual(options?.dynamics, { environmentUrl: three.dynamics.environmentUrl, credentials: { tenantId: 't', clientId: 'c', clientSecret: 'secret://d365' }, allow: ['10.0.0.0/8'] });
    assert.deepEqual(options?.sap.credentials, { kind: 'basic', username: 'COMM', password: 'secret://sap' });
    assert.deepEqual(options?.config, { currencies: ['EUR'] });
    assert.equal(config.flows.manufacturer.publishTo, 'analytics');
  });

  it('registers the manufacturer flows beside no first story', async () => {
    const config = loadConfig({ values: { connectors: three }, env });
    const systems = await openManufacturerSystems(config);
    assert.ok(systems);
    try {
      // Building the flows touches no store (the applied versions are read by runs).
      const names = builtInFlows(undefined, {} as Store, { systems }).all().map((f) => f.name).sort();
      assert.deepEqual(names, ['manufacturer-erp-events', 'manufacturer-lead-to-order']);
    } finally {
      await systems.close();
    }
  });

  it('refuses Dynamics 365 without SAP and Avalara, naming the keys', () => {
    assert.throws(() => loadConfig({ values: { connectors: { dynamics: three.dynamics } }, env }), /key "connectors.dynamics" is set but not connectors.sap, connectors.avalara/);
    assert.throws(() => loadConfig({ values: { connectors: { dynamics: three.dynamics, sap: three.sap } }, env }), /but not connectors.avalara/);
  });

  it('refuses SAP credentials that fit neither sign-in, and names bad keys', () => {
    assert.throws(() => loadConfig({ values: { connectors: { ...three, sap: { baseUrl: three.sap.baseUrl, username: 'COMM' } } }, env }), /key "connectors.sap" needs username and password/);
    assert.throws(() => loadConfig({ values: { connectors: { ...three, dynamics: { ...three.dynamics, clientSecret: undefined } } }, env }), /connectors.dynamics.clientSecret/);
    assert.throws(() => loadConfig({ values: { flows: { manufacturer: { currencies: ['euro'] } } }, env }), /flows.manufacturer.currencies/);
  });
});
