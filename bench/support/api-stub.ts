/**
 * The API benchmark's downstream: a minimal server answering the Salesforce and NetSuite
 * sign-ins and the two queries account validation makes, with canned bodies, in a process of its
 * own (a vendor is another machine; here at least it is another thread of execution).
 * Run as a child process: `node api-stub.ts`; prints `ready <port>`.
 */
import { createServer } from 'node:http';

/** The Account the stub's SOQL answers. */
export const STUB_ACCOUNT = {
  attributes: { type: 'Account' },
  Id: '001Hs0000000001IAA', Name: 'Acme Corporation', AccountNumber: null, Phone: null, Website: null, ParentId: null, CurrencyIsoCode: 'USD',
  External_Id__c: 'ACME-001', Legal_Entity__c: 'Interlock US Inc', SystemModstamp: '2026-01-01T00:00:00.000+0000',
  BillingStreet: '1 Market St', BillingCity: 'San Francisco', BillingState: 'CA', BillingPostalCode: '94105', BillingCountry: 'United States',
  ShippingStreet: null, ShippingCity: null, ShippingState: null, ShippingPostalCode: null, ShippingCountry: null,
};
const CUSTOMER = { links: [], id: '101', entityid: 'CUST-ACME', companyname: 'Acme Corporation', subsidiary: '1', externalid: 'ACME-001', isinactive: 'F' };

if (import.meta.main) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = req.url ?? '';
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      let body: unknown;
      if (url.startsWith('/services/oauth2/token')) body = { access_token: 'stub-session', instance_url: base, id: `${base}/id/00D000000000001AAA/005000000000001AAA`, token_type: 'Bearer' };
      else if (url.startsWith('/services/rest/auth/oauth2/v1/token')) body = { access_token: 'stub-token', expires_in: 3600, token_type: 'Bearer' };
      else if (url.startsWith('/services/data/')) body = { totalSize: 1, done: true, records: [STUB_ACCOUNT] };
      else if (url.startsWith('/services/rest/query/v1/suiteql')) body = { links: [], count: 1, hasMore: false, offset: 0, totalResults: 1, items: [CUSTOMER] };
      else return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`ready ${(server.address() as { port: number }).port}\n`));
}
