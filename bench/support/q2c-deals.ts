/**
 * The q2c benchmark's untimed set-up and its vendor-call count. Deals are made as a salesperson's
 * would be (an open opportunity on a seeded account, one recurring line from the standard price
 * book at list price, then Closed Won), but 200 at a time through Salesforce sObject Collections
 * (`POST` and `PATCH /composite/sobjects`), so that making thousands takes a second or two.
 */
import { subscribe as onChannel, unsubscribe as offChannel } from 'node:diagnostics_channel';
import { queryRecords } from '../../src/connectors/salesforce/actions/query-records.ts';
import type { SalesforceClient } from '../../src/connectors/salesforce/client.ts';

// Recurring products of the seed and how they bill: validation wants one frequency per deal.
const LINES = [
  { code: 'SUPPORT-PREM', frequency: 'Monthly' },
  { code: 'PLAT-SUB', frequency: 'Annual' },
  { code: 'SEAT-ADDON', frequency: 'Monthly' },
] as const;

const CHUNK = 200;

interface SaveResult {
  id?: string;
  success: boolean;
  errors: Array<{ statusCode: string; message: string }>;
}

/**
 * Makes `n` closed-won opportunities named `<tag> <i>`, round-robin over the seeded accounts and
 * recurring products; resolves to their ids in order.
 */
export async function createClosedWonDeals(sf: SalesforceClient, n: number, tag: string): Promise<string[]> {
  const accounts: string[] = [];
  for await (const a of queryRecords(sf, { soql: 'SELECT Id FROM Account ORDER BY Name' })) accounts.push(String(a['Id']));
  const entries = new Map<string, { id: string; price: number; book: string }>();
  const soql = 'SELECT Id, Pricebook2Id, UnitPrice, Product2.ProductCode FROM PricebookEntry WHERE IsActive = true';
  for await (const e of queryRecords(sf, { soql })) {
    const code = (e['Product2'] as { ProductCode?: string } | null)?.ProductCode ?? '';
    entries.set(code, { id: String(e['Id']), price: Number(e['UnitPrice']), book: String(e['Pricebook2Id']) });
  }
  const entryOf = (i: number) => {
    const line = LINES[i % LINES.length]!;
    const entry = entries.get(line.code);
    if (entry === undefined || accounts.length === 0) throw new Error(`the Salesforce sandbox lacks its seed (accounts, ${line.code})`);
    return { ...line, ...entry };
  };
  const closeDate = new Date().toISOString().slice(0, 10);
  const ids: string[] = [];
  for (let start = 0; start < n; start += CHUNK) {
    const range = Array.from({ length: Math.min(CHUNK, n - start) }, (_, k) => start + k);
    const made = await save(sf, 'POST', range.map((i) => ({
      attributes: { type: 'Opportunity' },
      Name: `${tag} ${i}`,
      AccountId: accounts[i % accounts.length],
      StageName: 'Negotiation/Review',
      CloseDate: closeDate,
      Pricebook2Id: entryOf(i).book,
      Type: 'New Business',
    })));
    await save(sf, 'POST', range.map((i, k) => ({
      attributes: { type: 'OpportunityLineItem' },
      OpportunityId: made[k],
      PricebookEntryId: entryOf(i).id,
      Quantity: 1 + (i % 5),
      UnitPrice: entryOf(i).price,
      Billing_Frequency__c: entryOf(i).frequency,
      Subscription_Term_Months__c: 12,
    })));
    await save(sf, 'PATCH', made.map((id) => ({ attributes: { type: 'Opportunity' }, id, StageName: 'Closed Won' })));
    ids.push(...made);
  }
  return ids;
}

async function save(sf: SalesforceClient, method: 'POST' | 'PATCH', records: unknown[]): Promise<string[]> {
  const res = await sf.rest<SaveResult[]>({ method, path: 'composite/sobjects', json: { allOrNone: true, records } });
  const failed = res.body.find((r) => !r.success);
  if (failed !== undefined) throw new Error(`set-up: Salesforce refused a record: ${failed.errors.map((e) => `${e.statusCode} ${e.message}`).join('; ')}`);
  return res.body.map((r) => r.id ?? '');
}

/** What this process sent the sandboxes, per sandbox: requests, response kilobytes, connections opened. */
export interface VendorTraffic {
  calls: Record<string, number>;
  kb: Record<string, number>;
  connections: number;
}

/** Counts what this process sends the sandboxes until `stop()`. */
export function countVendorCalls(urls: Readonly<Record<string, string>>): { stop(): VendorTraffic } {
  const byOrigin = new Map(Object.entries(urls).map(([name, url]) => [new URL(url).origin, name]));
  const traffic: VendorTraffic = { calls: {}, kb: {}, connections: 0 };
  for (const name of Object.keys(urls)) {
    traffic.calls[name] = 0;
    traffic.kb[name] = 0;
  }
  // undici's origin is already `scheme://host:port`, as URL.origin writes it.
  const vendor = (origin: unknown): string | undefined => (origin === undefined ? undefined : byOrigin.get(String(origin)));
  // undici announces every request, answer and connection; the connectors' transport uses undici.
  const created = (message: unknown): void => {
    const name = vendor((message as { request: { origin?: unknown } }).request.origin);
    if (name !== undefined) traffic.calls[name] = (traffic.calls[name] ?? 0) + 1;
  };
  const answered = (message: unknown): void => {
    const { request, response } = message as { request: { origin?: unknown }; response: { headers: Buffer[] } };
    const name = vendor(request.origin);
    if (name === undefined) return;
    for (let i = 0; i < response.headers.length; i += 2) {
      if (String(response.headers[i]).toLowerCase() === 'content-length') traffic.kb[name] = (traffic.kb[name] ?? 0) + Number(String(response.headers[i + 1])) / 1024;
    }
  };
  const connected = (): void => {
    traffic.connections += 1;
  };
  const channels: Array<[string, (message: unknown) => void]> = [
    ['undici:request:create', created],
    ['undici:request:headers', answered],
    ['undici:client:connected', connected],
  ];
  for (const [channel, listener] of channels) onChannel(channel, listener);
  return {
    stop: () => {
      for (const [channel, listener] of channels) offChannel(channel, listener);
      return traffic;
    },
  };
}
