// The project's own mappings, tested the way users test theirs: every golden fixture under
// src/connectors/*/mappings, each case (and its round trip) as one test.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFixtureFiles, formatCaseResult, runFixtureFile } from './fixtures.ts';

const connectors = fileURLToPath(new URL('../connectors/', import.meta.url));
const folders = readdirSync(connectors)
  .map((vendor) => path.join(connectors, vendor, 'mappings'))
  .filter((dir) => existsSync(dir));

describe('shipped mappings', () => {
  it('ship fixtures for Salesforce, NetSuite and Stripe', async () => {
    const files = (await Promise.all(folders.map(findFixtureFiles))).flat().map((f) => path.relative(connectors, f));
    for (const expected of [
      'salesforce/mappings/opportunity-to-order.fixtures.yaml',
      'salesforce/mappings/account-to-customer.fixtures.yaml',
      'netsuite/mappings/customer-to-canonical.fixtures.yaml',
      'netsuite/mappings/sales-order-to-order.fixtures.yaml',
      'stripe/mappings/customer-to-canonical.fixtures.yaml',
      'stripe/mappings/subscription-to-canonical.fixtures.yaml',
      'stripe/mappings/invoice-to-canonical.fixtures.yaml',
    ]) {
      assert.ok(files.includes(expected), `missing ${expected}`);
    }
  });

  for (const folder of folders) {
    describe(path.relative(connectors, folder), async () => {
      for (const file of await findFixtureFiles(folder)) {
        const results = await runFixtureFile(file);
        for (const r of results) {
          it(r.name, () => assert.ok(r.passed, formatCaseResult(r)));
        }
      }
    });
  }
});
