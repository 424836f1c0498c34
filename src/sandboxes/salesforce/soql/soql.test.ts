/**
 * SOQL over stored records: the operators, precedence, date literals, ordering, paging clauses,
 * parent fields and child subqueries connectors use, and Salesforce's errors for bad queries.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openStateStore } from '../../kit/index.ts';
import { SalesforceError } from '../errors.ts';
import { createRecord } from '../records.ts';
import { findType } from '../schema.ts';
import type { SObjectType } from '../schema.ts';
import { RecordStore } from '../store.ts';
import type { StoredRecord } from '../store.ts';
import { seedSalesforce } from '../seed.ts';
import { executeSoql } from './execute.ts';
import type { Row } from './execute.ts';
import { parseSoql } from './parse.ts';

function type(name: string): SObjectType {
  const t = findType(name);
  assert.ok(t);
  return t;
}

describe('SOQL', () => {
  const kit = openStateStore();
  const store = new RecordStore(kit.collection<StoredRecord>('records'), kit.collection<{ n: number }>('counters'), () => {});
  const run = (soql: string, includeDeleted = false): { rows: Row[]; totalSize: number } => executeSoql(store, parseSoql(soql), '61.0', includeDeleted);
  const names = (soql: string): unknown[] => run(soql).rows.map((r) => r['Name']);

  before(() => {
    store.transaction((tx) => {
      seedSalesforce(store, tx);
      createRecord(store, tx, type('Account'), { Name: 'Zeta Null Country' });
      const gone = createRecord(store, tx, type('Account'), { Name: 'Deleted Co', BillingCountry: 'France' });
      store.remove(tx, gone);
    });
  });

  it('filters with =, !=, IN, NOT IN and LIKE, comparing text case-insensitively', () => {
    assert.deepEqual(names("SELECT Name FROM Account WHERE BillingCountry = 'germany'"), ['Globex GmbH']);
    assert.deepEqual(names("SELECT Name FROM Account WHERE BillingCountry IN ('Germany', 'United Kingdom') ORDER BY Name"), ['Globex GmbH', 'Initech Ltd']);
    // As with !=, a null field is "not in" any list of values.
    assert.deepEqual(names("SELECT Name FROM Account WHERE BillingCountry NOT IN ('United States') ORDER BY Name"), ['Globex GmbH', 'Initech Ltd', 'Zeta Null Country']);
    assert.deepEqual(names("SELECT Name FROM Account WHERE Name LIKE '%corp%'"), ['Acme Corporation']);
    assert.equal(names("SELECT Name FROM Account WHERE BillingCountry != 'United States'").length, 3);
  });

  it('treats null as a value for = and != only', () => {
    assert.deepEqual(names('SELECT Name FROM Account WHERE BillingCountry = null'), ['Zeta Null Country']);
    assert.equal(names('SELECT Name FROM Account WHERE BillingCountry != null').length, 4);
    assert.equal(names("SELECT Name FROM Account WHERE BillingCountry > 'A'").length, 4);
  });

  it('honours parentheses, AND over OR, and NOT', () => {
    const soql = "SELECT Name FROM Account WHERE (BillingCountry = 'Germany' OR BillingCountry = 'United Kingdom') AND Name LIKE 'I%'";
    assert.deepEqual(names(soql), ['Initech Ltd']);
    const unparenthesised = "SELECT Name FROM Account WHERE BillingCountry = 'Germany' OR BillingCountry = 'United Kingdom' AND Name LIKE 'X%'";
    assert.deepEqual(names(unparenthesised), ['Globex GmbH']);
    assert.deepEqual(names("SELECT Name FROM Account WHERE NOT (BillingCountry = 'United States' OR BillingCountry = null) ORDER BY Name"), ['Globex GmbH', 'Initech Ltd']);
  });

  it('compares numbers, booleans and dates, including relative date literals', () => {
    assert.deepEqual(names('SELECT Name FROM PricebookEntry WHERE UnitPrice >= 1500 ORDER BY UnitPrice DESC'), ['Onboarding Services', 'Training Day']);
    assert.equal(names('SELECT Name FROM Product2 WHERE Recurring__c = true').length, 3);
    assert.equal(names('SELECT Name FROM Opportunity WHERE IsWon = false').length, 4);
    assert.equal(run('SELECT Id FROM Account WHERE CreatedDate = TODAY').rows.length, 5);
    assert.equal(run('SELECT Id FROM Account WHERE CreatedDate < LAST_N_DAYS:3').rows.length, 0);
    assert.equal(run('SELECT Id FROM Account WHERE LastModifiedDate > 2000-01-01T00:00:00Z').rows.length, 5);
    assert.equal(run('SELECT Id FROM Opportunity WHERE CloseDate > TODAY').rows.length, 4);
  });

  it('orders with ASC/DESC and NULLS FIRST/LAST, then applies OFFSET and LIMIT', () => {
    assert.equal(names('SELECT Name FROM Account ORDER BY BillingCountry NULLS FIRST LIMIT 1')[0], 'Zeta Null Country');
    assert.equal(names('SELECT Name FROM Account ORDER BY BillingCountry DESC NULLS LAST LIMIT 5')[4], 'Zeta Null Country');
    assert.deepEqual(names('SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1'), ['Globex GmbH', 'Initech Ltd']);
  });

  it('nests parent relationship fields and child subqueries as the REST API does', () => {
    const { rows } = run(
      "SELECT Id, Name, Account.Name, Account.Legal_Entity__c, (SELECT Quantity, UnitPrice, Product2Id, Product2.ProductCode FROM OpportunityLineItems ORDER BY UnitPrice DESC) FROM Opportunity WHERE Account.BillingCountry = 'Germany'",
    );
    assert.equal(rows.length, 1);
    const opp = rows[0] as Record<string, unknown>;
    assert.deepEqual((opp['attributes'] as Record<string, unknown>)['type'], 'Opportunity');
    const account = opp['Account'] as Record<string, unknown>;
    assert.equal(account['Name'], 'Globex GmbH');
    assert.equal(account['Legal_Entity__c'], 'Interlock GmbH');
    assert.deepEqual(Object.keys(account['attributes'] as object), ['type', 'url']);
    const lines = opp['OpportunityLineItems'] as { totalSize: number; done: boolean; records: Array<Record<string, unknown>> };
    assert.equal(lines.totalSize, 2);
    assert.equal(lines.done, true);
    assert.deepEqual(lines.records.map((l) => (l['Product2'] as Record<string, unknown>)['ProductCode']), ['TRAIN-DAY', 'PLAT-SUB']);
    assert.equal(run("SELECT Name, (SELECT Id FROM Opportunities) FROM Account WHERE Name = 'Zeta Null Country'").rows[0]?.['Opportunities'], null);
  });

  it('answers COUNT() with totalSize and no records, and COUNT(field) as an aggregate row', () => {
    assert.deepEqual(run('SELECT COUNT() FROM Account'), { rows: [], totalSize: 5 });
    assert.deepEqual(run('SELECT COUNT(BillingCountry) FROM Account').rows[0], { attributes: { type: 'AggregateResult' }, expr0: 4 });
  });

  it('filters with IN and NOT IN semi-joins on id fields', () => {
    assert.deepEqual(names("SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity WHERE StageName = 'Prospecting')"), ['Umbrella Health']);
    assert.equal(names('SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Opportunity)').length, 1);
    assert.throws(() => parseSoql('SELECT Id FROM Account WHERE Id IN (SELECT Name FROM Opportunity)'), SalesforceError);
  });

  it('aggregates with GROUP BY into AggregateResult rows, ordered and limited by group', () => {
    const rows = run('SELECT BillingCountry, COUNT(Id) n, MAX(Name) FROM Account WHERE BillingCountry != null GROUP BY BillingCountry ORDER BY BillingCountry DESC').rows;
    assert.deepEqual(rows, [
      { attributes: { type: 'AggregateResult' }, BillingCountry: 'United States', n: 2, expr0: 'Umbrella Health' },
      { attributes: { type: 'AggregateResult' }, BillingCountry: 'United Kingdom', n: 1, expr0: 'Initech Ltd' },
      { attributes: { type: 'AggregateResult' }, BillingCountry: 'Germany', n: 1, expr0: 'Globex GmbH' },
    ]);
    assert.deepEqual(run('SELECT SUM(TotalPrice), AVG(Quantity), COUNT_DISTINCT(Product2Id) FROM OpportunityLineItem').rows, [
      // Seeded lines: 3 × PLAT-SUB 12×1200, SEAT-ADDON 25×40, 2 × ONBOARD-SVC 1×5000, TRAIN-DAY 2×1500, 2 × SUPPORT-PREM 12×300.
      { attributes: { type: 'AggregateResult' }, expr0: 3 * 14_400 + 1000 + 2 * 5000 + 3000 + 2 * 3600, expr1: (3 * 12 + 25 + 2 * 1 + 2 + 2 * 12) / 9, expr2: 5 },
    ]);
    assert.equal(run('SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName LIMIT 2').totalSize, 2);
    assert.throws(() => parseSoql('SELECT Name, COUNT(Id) FROM Account GROUP BY BillingCountry'), /grouped or aggregated/);
  });

  it('sees deleted records only through queryAll', () => {
    assert.equal(names("SELECT Name FROM Account WHERE Name = 'Deleted Co'").length, 0);
    assert.deepEqual(run("SELECT Name, IsDeleted FROM Account WHERE Name = 'Deleted Co'", true).rows.map((r) => r['IsDeleted']), [true]);
  });

  it('rejects bad queries with MALFORMED_QUERY, INVALID_FIELD or INVALID_TYPE', () => {
    const code = (soql: string): string => {
      try {
        parseSoql(soql);
      } catch (err) {
        assert.ok(err instanceof SalesforceError);
        assert.equal(err.status, 400);
        return err.errorCode;
      }
      return 'none';
    };
    assert.equal(code('SELEC Id FROM Account'), 'MALFORMED_QUERY');
    assert.equal(code('SELECT Id FROM Account WHERE'), 'MALFORMED_QUERY');
    assert.equal(code('SELECT Nope__c FROM Account'), 'INVALID_FIELD');
    assert.equal(code("SELECT Id FROM Account WHERE Owner.Nope = 'x'"), 'INVALID_FIELD');
    assert.equal(code('SELECT Id FROM Invoice__c'), 'INVALID_TYPE');
    assert.equal(code('SELECT Id, (SELECT Id FROM Nothings) FROM Account'), 'INVALID_TYPE');
  });
});
