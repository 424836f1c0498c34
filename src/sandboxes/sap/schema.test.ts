/**
 * The business partner sets the sandbox serves use SAP's names: every property, key and
 * navigation property is one the Business Accelerator Hub EDMX of `API_BUSINESS_PARTNER`
 * declares on that entity type (the spec sits in shared/vendors/specs; without it the check is
 * skipped). The other services have no SAP-published spec to check against.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { allSets, SERVICES } from './schema.ts';

const EDMX = fileURLToPath(new URL('../../../../shared/vendors/specs/sap/API_BUSINESS_PARTNER.edmx', import.meta.url));

describe('SAP sandbox schema', () => {
  it('names only properties the API_BUSINESS_PARTNER EDMX declares', { skip: !existsSync(EDMX) && 'shared/vendors/specs not present' }, () => {
    const xml = readFileSync(EDMX, 'utf8');
    for (const set of allSets().filter((s) => s.service === SERVICES.bp)) {
      const type = new RegExp(`<EntityType Name="${set.name}Type".*?</EntityType>`).exec(xml)?.[0];
      assert.ok(type, `${set.name}Type is in the EDMX`);
      const declared = new Set([...type.matchAll(/<(?:Property|NavigationProperty) Name="(\w+)"/g)].map((m) => m[1]));
      const keys = [...type.matchAll(/<PropertyRef Name="(\w+)"/g)].map((m) => m[1]);
      assert.deepEqual(set.keys, keys, `${set.name} keys`);
      for (const name of [...Object.keys(set.props), ...Object.keys(set.navs)]) assert.ok(declared.has(name), `${set.name}.${name} is declared by SAP`);
    }
  });
});
