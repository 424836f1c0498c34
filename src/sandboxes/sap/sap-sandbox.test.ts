/**
 * The SAP sandbox over HTTP, as SAP documents the protocol: CSRF fetch and refusal, deep insert,
 * ETags (428/412), query options and paging, `$batch` changesets, OData v2 errors, availability,
 * credit exposure and the Event Mesh events of deliveries and billing documents.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { SandboxInstance } from '../kit/index.ts';
import { createSapSandbox } from './sap-sandbox.ts';

const AUTH = `Basic ${Buffer.from('INTERLOCK_COMM:Sandbox-Passw0rd').toString('base64')}`;
const ORDER = { SalesOrderType: 'OR', SalesOrganization: '1710', DistributionChannel: '10', OrganizationDivision: '00', SoldToParty: '17100002', PurchaseOrderByCustomer: 'PO-T1', to_Item: [{ Material: 'VALVE-BV50', RequestedQuantity: '4' }, { Material: 'PUMP-CP100', RequestedQuantity: '1' }] };

describe('SAP sandbox', () => {
  let sap: SandboxInstance;
  let base: string;
  let session: { token: string; cookie: string };
  const call = async (method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; raw?: string } = {}): Promise<Response> =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: AUTH, accept: 'application/json', 'x-csrf-token': session.token, cookie: session.cookie, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
    });
  const fetchToken = async (): Promise<{ token: string; cookie: string }> => {
    const res = await fetch(`${base}API_SALES_ORDER_SRV/`, { headers: { authorization: AUTH, 'x-csrf-token': 'Fetch' } });
    return { token: res.headers.get('x-csrf-token') ?? '', cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') };
  };

  before(async () => {
    sap = await createSapSandbox({ pageSize: 2 }).start({ seed: true });
    base = `${sap.url}/sap/opu/odata/sap/`;
    session = await fetchToken();
  });
  after(() => sap.close());

  it('refuses a modifying call without a fetched token: 403, X-CSRF-Token Required, plain text', async () => {
    const res = await fetch(`${base}API_SALES_ORDER_SRV/A_SalesOrder`, { method: 'POST', headers: { authorization: AUTH, 'content-type': 'application/json' }, body: JSON.stringify(ORDER) });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-csrf-token'), 'Required');
    assert.equal(await res.text(), 'CSRF token validation failed');
  });

  it('refuses a token without its session cookie, and every token once sessions are expired', async () => {
    const noCookie = await call('POST', 'API_SALES_ORDER_SRV/A_SalesOrder', { body: ORDER, headers: { cookie: '' } });
    assert.equal(noCookie.status, 403);
    const own = await fetchToken();
    await fetch(`${sap.url}/__sandbox/sap/csrf/expire`, { method: 'POST' });
    const stale = await call('POST', 'API_SALES_ORDER_SRV/A_SalesOrder', { body: ORDER, headers: { 'x-csrf-token': own.token, cookie: own.cookie } });
    assert.equal(stale.status, 403);
    session = await fetchToken();
  });

  it('answers 401 with a Basic challenge to a wrong password', async () => {
    const res = await fetch(`${base}API_BUSINESS_PARTNER/A_BusinessPartner`, { headers: { authorization: `Basic ${Buffer.from('INTERLOCK_COMM:nope').toString('base64')}` } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/);
  });

  it('creates a sales order with its items by deep insert and reads it back with $expand', async () => {
    const res = await call('POST', 'API_SALES_ORDER_SRV/A_SalesOrder', { body: ORDER });
    assert.equal(res.status, 201);
    const created = ((await res.json()) as { d: Record<string, unknown> }).d;
    assert.match(res.headers.get('location') ?? '', /A_SalesOrder\('\d+'\)$/);
    assert.equal(created['TransactionCurrency'], 'USD');
    assert.equal(created['TotalNetAmount'], String(4 * 310 + 4200));
    const read = await call('GET', `API_SALES_ORDER_SRV/A_SalesOrder('${String(created['SalesOrder'])}')?$expand=to_Item`);
    const order = ((await read.json()) as { d: { to_Item: { results: Array<Record<string, unknown>> } } }).d;
    assert.deepEqual(order.to_Item.results.map((i) => [i['SalesOrderItem'], i['Material'], i['NetAmount']]), [['10', 'VALVE-BV50', '1240'], ['20', 'PUMP-CP100', '4200']]);
  });

  it('adds an item through to_Item and sums it into the order total', async () => {
    const created = ((await (await call('POST', 'API_SALES_ORDER_SRV/A_SalesOrder', { body: { ...ORDER, PurchaseOrderByCustomer: 'PO-ADD' } })).json()) as { d: { SalesOrder: string; TotalNetAmount: string } }).d;
    const added = await call('POST', `API_SALES_ORDER_SRV/A_SalesOrder('${created.SalesOrder}')/to_Item`, { body: { Material: 'SPARE-SEALKIT', RequestedQuantity: '2' } });
    assert.equal(added.status, 201);
    const item = ((await added.json()) as { d: Record<string, string> }).d;
    assert.deepEqual([item['SalesOrderItem'], item['TransactionCurrency']], ['30', 'USD']);
    const order = ((await (await call('GET', `API_SALES_ORDER_SRV/A_SalesOrder('${created.SalesOrder}')`)).json()) as { d: { TotalNetAmount: string } }).d;
    assert.equal(order.TotalNetAmount, String(Number(created.TotalNetAmount) + 2 * 145));
  });

  it('finds orders by PurchaseOrderByCustomer with $filter, $select and $inlinecount', async () => {
    const res = await call('GET', `API_SALES_ORDER_SRV/A_SalesOrder?$filter=${encodeURIComponent("PurchaseOrderByCustomer eq 'PO-T1'")}&$select=SalesOrder,PurchaseOrderByCustomer&$inlinecount=allpages`);
    const body = (await res.json()) as { d: { results: Array<Record<string, unknown>>; __count: string } };
    assert.equal(body.d.__count, '1');
    assert.deepEqual(Object.keys(body.d.results[0] ?? {}).sort(), ['PurchaseOrderByCustomer', 'SalesOrder', '__metadata']);
  });

  it('pages long collections with __next until every record is read', async () => {
    let next: string | undefined = `${base}API_BUSINESS_PARTNER/A_BusinessPartner?$orderby=BusinessPartner desc`;
    const ids: string[] = [];
    while (next !== undefined) {
      const res = await fetch(next, { headers: { authorization: AUTH } });
      const body = (await res.json()) as { d: { results: Array<{ BusinessPartner: string }>; __next?: string } };
      ids.push(...body.d.results.map((r) => r.BusinessPartner));
      next = body.d.__next;
    }
    assert.deepEqual(ids, ['17100003', '17100002', '17100001']);
  });

  it('needs If-Match to change an entity: 428 without, 412 when stale, 204 with the current ETag', async () => {
    const path = "API_BUSINESS_PARTNER/A_BusinessPartner('17100003')";
    const etag = (await call('GET', path)).headers.get('etag') ?? '';
    assert.equal((await call('PATCH', path, { body: { SearchTerm2: 'A' } })).status, 428);
    const ok = await call('PATCH', path, { body: { SearchTerm2: 'B' }, headers: { 'if-match': etag } });
    assert.equal(ok.status, 204);
    const stale = await call('PATCH', path, { body: { SearchTerm2: 'C' }, headers: { 'if-match': etag } });
    assert.equal(stale.status, 412);
    assert.equal(((await stale.json()) as { error: { code: string } }).error.code, '/IWBEP/CM_MGW_RT/022');
  });

  it('refuses the next conditional writes as changed by someone else when concurrent edits are armed; If-Match * is not conditional', async () => {
    const path = "API_BUSINESS_PARTNER/A_BusinessPartner('17100002')";
    const armed = await fetch(`${sap.url}/__sandbox/sap/concurrent-edits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 1 }) });
    assert.deepEqual(await armed.json(), { pending: 1 });
    assert.equal((await call('PATCH', path, { body: { SearchTerm2: 'S' }, headers: { 'if-match': '*' } })).status, 204);
    const etag = (await call('GET', path)).headers.get('etag') ?? '';
    assert.equal((await call('PATCH', path, { body: { SearchTerm2: 'X' }, headers: { 'if-match': etag } })).status, 412);
    assert.equal((await call('PATCH', path, { body: { SearchTerm2: 'Y' }, headers: { 'if-match': etag } })).status, 204);
  });

  it('answers OData v2 error bodies: unknown property, unknown sales area', async () => {
    const bad = await call('POST', 'API_SALES_ORDER_SRV/A_SalesOrder', { body: { ...ORDER, Colour: 'red' } });
    const body = (await bad.json()) as { error: { code: string; message: { lang: string; value: string } } };
    assert.equal(bad.status, 400);
    assert.equal(body.error.message.lang, 'en');
    assert.match(body.error.message.value, /Colour/);
    const area = await call('POST', 'API_SALES_ORDER_SRV/A_SalesOrder', { body: { ...ORDER, SalesOrganization: '9999' } });
    assert.equal(((await area.json()) as { error: { code: string } }).error.code, 'V1/390');
  });

  it('runs a $batch changeset atomically: one failing write leaves nothing behind', async () => {
    const part = (body: unknown): string => `--changeset_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nPOST A_SalesOrder HTTP/1.1\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(body)}\r\n`;
    const batch = (parts: string): string => `--batch_1\r\nContent-Type: multipart/mixed; boundary=changeset_1\r\n\r\n${parts}--changeset_1--\r\n\r\n--batch_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET A_SalesOrder/$count HTTP/1.1\r\n\r\n\r\n--batch_1--\r\n`;
    const headers = { 'content-type': 'multipart/mixed; boundary=batch_1' };
    const good = await call('POST', 'API_SALES_ORDER_SRV/$batch', { raw: batch(part({ ...ORDER, PurchaseOrderByCustomer: 'B-1' }) + part({ ...ORDER, PurchaseOrderByCustomer: 'B-2' })), headers });
    assert.equal(good.status, 202);
    const text = await good.text();
    assert.equal(text.match(/HTTP\/1\.1 201 Created/g)?.length, 2);
    const before = Number(await (await call('GET', 'API_SALES_ORDER_SRV/A_SalesOrder/$count')).text());
    const failing = await call('POST', 'API_SALES_ORDER_SRV/$batch', { raw: batch(part({ ...ORDER, PurchaseOrderByCustomer: 'B-3' }) + part({ ...ORDER, SoldToParty: '99999999' })), headers });
    assert.match(await failing.text(), /HTTP\/1\.1 400 Bad Request/);
    assert.equal(Number(await (await call('GET', 'API_SALES_ORDER_SRV/A_SalesOrder/$count')).text()), before);
  });

  it('applies a PATCH with If-Match inside a $batch changeset and answers its 204', async () => {
    const path = "A_BusinessPartner('17100001')";
    const etag = (await call('GET', `API_BUSINESS_PARTNER/${path}`)).headers.get('etag') ?? '';
    const body = `--batch_2\r\nContent-Type: multipart/mixed; boundary=changeset_2\r\n\r\n--changeset_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nPATCH ${path} HTTP/1.1\r\nContent-Type: application/json\r\nIf-Match: ${etag}\r\n\r\n{"SearchTerm2":"BATCHED"}\r\n--changeset_2--\r\n\r\n--batch_2--\r\n`;
    const res = await call('POST', 'API_BUSINESS_PARTNER/$batch', { raw: body, headers: { 'content-type': 'multipart/mixed; boundary=batch_2' } });
    assert.equal(res.status, 202);
    assert.match(res.headers.get('content-type') ?? '', /^multipart\/mixed; boundary=batchresponse_/);
    assert.match(await res.text(), /HTTP\/1\.1 204 No Content/);
    const read = (await (await call('GET', `API_BUSINESS_PARTNER/${path}?$select=SearchTerm2`)).json()) as { d: { SearchTerm2: string } };
    assert.equal(read.d.SearchTerm2, 'BATCHED');
  });

  it('lowers availability by open orders and raises credit exposure by their value', async () => {
    const availability = async (): Promise<number> => {
      const res = await call('GET', "API_PRODUCT_AVAILY_INFO_BASIC/DetermineAvailabilityAt?SupplyingPlant='1710'&Material='PUMP-CP250'&ATPCheckingRule='A'");
      return Number(((await res.json()) as { d: { results: Array<{ AvailableQuantityInBaseUnit: string }> } }).d.results[0]?.AvailableQuantityInBaseUnit);
    };
    const exposure = async (): Promise<number> => {
      const res = await call('GET', "API_CREDIT_MANAGEMENT/A_CrdtMgmtCreditExposure(BusinessPartner='17100003',CreditSegment='1000')");
      return Number(((await res.json()) as { d: { CreditExposureAmount: string } }).d.CreditExposureAmount);
    };
    const [stock, exposed] = [await availability(), await exposure()];
    await call('POST', 'API_SALES_ORDER_SRV/A_SalesOrder', { body: { ...ORDER, SoldToParty: '17100003', to_Item: [{ Material: 'PUMP-CP250', RequestedQuantity: '3' }] } });
    assert.equal(await availability(), stock - 3);
    assert.equal(await exposure(), exposed + 3 * 7900);
  });

  it('takes stock out at goods issue and puts it back with a goods receipt; refuses a receipt it cannot post', async () => {
    const availability = async (): Promise<number> => {
      const res = await call('GET', "API_PRODUCT_AVAILY_INFO_BASIC/DetermineAvailabilityAt?SupplyingPlant='1710'&Material='MOTOR-E15'&ATPCheckingRule='A'");
      return Number(((await res.json()) as { d: { results: Array<{ AvailableQuantityInBaseUnit: string }> } }).d.results[0]?.AvailableQuantityInBaseUnit);
    };
    const admin = (path: string, body?: unknown): Promise<Response> =>
      fetch(`${sap.url}/__sandbox/sap/${path}`, { method: 'POST', ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    const before = await availability();
    const created = (await (await call('POST', 'API_SALES_ORDER_SRV/A_SalesOrder', { body: { ...ORDER, PurchaseOrderByCustomer: 'GR-1', to_Item: [{ Material: 'MOTOR-E15', RequestedQuantity: '4' }] } })).json()) as { d: { SalesOrder: string } };
    const delivery = (await (await admin(`sales-orders/${created.d.SalesOrder}/delivery`)).json()) as { DeliveryDocument: string };
    assert.equal((await admin(`outbound-deliveries/${delivery.DeliveryDocument}/goods-issue`)).status, 200);
    assert.equal(await availability(), before - 4);
    const received = await admin('materials/MOTOR-E15/goods-receipt', { quantity: 4 });
    assert.equal(received.status, 200);
    assert.equal(((await received.json()) as { stock: number }).stock, before);
    assert.equal(await availability(), before);
    assert.equal((await admin('materials/MOTOR-E15/goods-receipt', { quantity: 0 })).status, 400);
    assert.equal((await admin('materials/NO-SUCH/goods-receipt', { quantity: 1 })).status, 404);
    assert.equal(await availability(), before);
  });

  it('pushes CloudEvents for a delivery, its goods issue and its billing document to a subscription', async () => {
    const received: Array<{ type: string; data: Record<string, string>; contentType: string }> = [];
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        received.push({ ...(JSON.parse(text) as { type: string; data: Record<string, string> }), contentType: String(req.headers['content-type']) });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      // Subscribed twice to one URL (a consumer re-registering at each start): each event arrives once.
      for (let i = 0; i < 2; i++) {
        await fetch(`${sap.url}/__sandbox/sap/event-subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `http://127.0.0.1:${port}/events` }) });
      }
      const created = (await (await call('POST', 'API_SALES_ORDER_SRV/A_SalesOrder', { body: { ...ORDER, PurchaseOrderByCustomer: 'EV-1' } })).json()) as { d: { SalesOrder: string } };
      const delivery = (await (await fetch(`${sap.url}/__sandbox/sap/sales-orders/${created.d.SalesOrder}/delivery`, { method: 'POST' })).json()) as { DeliveryDocument: string };
      const issued = await call('POST', `API_OUTBOUND_DELIVERY_SRV;v=0002/PostGoodsIssue?DeliveryDocument='${delivery.DeliveryDocument}'`);
      assert.equal(issued.status, 200);
      const billing = (await (await fetch(`${sap.url}/__sandbox/sap/outbound-deliveries/${delivery.DeliveryDocument}/billing`, { method: 'POST' })).json()) as { BillingDocument: string };
      for (let i = 0; i < 100 && received.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(received.map((e) => e.type), [
        'sap.s4.beh.outbounddelivery.v1.OutboundDelivery.Created.v1',
        'sap.s4.beh.outbounddelivery.v1.OutboundDelivery.GoodsIssued.v1',
        'sap.s4.beh.billingdocument.v1.BillingDocument.Created.v1',
      ]);
      assert.equal(received[2]?.data['BillingDocument'], billing.BillingDocument);
      assert.equal(received[0]?.contentType, 'application/cloudevents+json');
      const docs = await call('GET', `API_BILLING_DOCUMENT_SRV/A_BillingDocument('${billing.BillingDocument}')?$expand=to_Item`);
      assert.equal(((await docs.json()) as { d: { to_Item: { results: unknown[] } } }).d.to_Item.results.length, 2);
    } finally {
      server.close();
    }
  });
});
