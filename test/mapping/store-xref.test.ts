import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachStore } from '../support/stores.ts';
import { StoreXrefRepository } from '../../src/mapping/store-xref.ts';
import { loadMapping } from '../../src/mapping/load.ts';

const spec = `mapping: t
source: { system: salesforce, object: Opportunity }
target: { system: canonical, object: order }
recordId: Id
fields:
  customerId: { from: AccountId, lookup: { from: "salesforce:Account", to: "canonical:customer" }, required: true }
`;

describeEachStore('xref table', (get) => {
  it('answers both directions, ignores a repeated link, and serves a mapping batch', async () => {
    const repo = new StoreXrefRepository(get().store);
    await repo.link({ canonicalType: 'customer', canonicalId: 'c-1', system: 'salesforce', objectType: 'Account', externalId: '001A' });
    await repo.link({ canonicalType: 'customer', canonicalId: 'c-1', system: 'netsuite', objectType: 'customer', externalId: '647' });
    await repo.link({ canonicalType: 'customer', canonicalId: 'c-1', system: 'salesforce', objectType: 'Account', externalId: '001A' });
    assert.deepEqual([...(await repo.findCanonical('customer', 'salesforce', 'Account', ['001A', '001Z']))], [['001A', 'c-1']]);
    assert.deepEqual([...(await repo.findExternal('customer', ['c-1'], 'netsuite', 'customer'))], [['c-1', '647']]);
    assert.equal((await repo.findCanonical('order', 'salesforce', 'Account', ['001A'])).size, 0);

    const { mapped, parked } = await loadMapping(spec, 't.yaml').mapBatch(
      [
        { Id: 'o1', AccountId: '001A' },
        { Id: 'o2', AccountId: '001Z' },
      ],
      { xref: repo },
    );
    assert.deepEqual(mapped.map((m) => m.output), [{ customerId: 'c-1' }]);
    assert.equal(parked[0]?.recordId, 'o2');
  });

  it('looks up more ids than one query may bind', async () => {
    const repo = new StoreXrefRepository(get().store);
    for (let i = 0; i < 1200; i++) {
      await repo.link({ canonicalType: 'product', canonicalId: `p-${i}`, system: 'stripe', objectType: 'product', externalId: `prod_${i}` });
    }
    const ids = Array.from({ length: 1200 }, (_, i) => `prod_${i}`);
    const found = await repo.findCanonical('product', 'stripe', 'product', ids);
    assert.equal(found.size, 1200);
    assert.equal(found.get('prod_1199'), 'p-1199');
  });
});
