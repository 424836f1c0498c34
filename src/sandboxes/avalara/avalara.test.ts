/**
 * The AvaTax sandbox against AvaTax's documented request/response shapes (AvaTax publishes no
 * JavaScript client we could use unchanged): estimates, saved and committed invoices, the tax
 * table's jurisdictions and tax codes, and AvaTax's error bodies for bad input.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SandboxInstance } from '../kit/index.ts';
import { avalaraSandbox } from './avalara-sandbox.ts';

const AUTH = `Basic ${Buffer.from('2000123456:1A2B3C4D5E6F7G8H').toString('base64')}`;
const SHIP_FROM = { line1: '100 Ravine Lane NE', city: 'Bainbridge Island', region: 'WA', country: 'US', postalCode: '98110' };
const LA = { line1: '200 N Spring St', city: 'Los Angeles', region: 'CA', country: 'US', postalCode: '90012' };

type Body = Record<string, unknown> & { error?: { code: string; message: string; target: string; details: unknown[] } };

describe('Avalara AvaTax sandbox', () => {
  let sandbox: SandboxInstance;
  before(async () => {
    sandbox = await avalaraSandbox.start();
  });
  after(async () => {
    await sandbox.close();
  });

  const call = async (method: string, path: string, body?: unknown, auth: string | null = AUTH): Promise<{ status: number; body: Body }> => {
    const headers: Record<string, string> = {};
    if (auth !== null) headers.authorization = auth;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${sandbox.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Body };
  };
  const create = (model: Record<string, unknown>): Promise<{ status: number; body: Body }> =>
    call('POST', '/api/v2/transactions/create', {
      type: 'SalesOrder',
      companyCode: 'DEFAULT',
      date: '2026-06-01',
      customerCode: 'ABC',
      addresses: { shipFrom: SHIP_FROM, shipTo: LA },
      lines: [{ number: '1', quantity: 1, amount: 100, taxCode: 'P0000000' }],
      ...model,
    });

  it('answers ping, saying whether the credentials were recognised', async () => {
    const anonymous = await call('GET', '/api/v2/utilities/ping', undefined, null);
    assert.equal(anonymous.status, 200);
    assert.equal(anonymous.body.authenticated, false);
    const known = await call('GET', '/api/v2/utilities/ping');
    assert.equal(known.body.authenticated, true);
    assert.equal(known.body.authenticationType, 'AccountIdLicenseKey');
    assert.equal(known.body.authenticatedAccountId, 2000123456);
  });

  it('estimates a SalesOrder with a detail per jurisdiction and a summary, without saving it', async () => {
    const { status, body } = await create({ code: 'estimate-1' });
    assert.equal(status, 200);
    assert.equal(body.status, 'Temporary');
    assert.equal(body.totalAmount, 100);
    assert.equal(body.totalTax, 7.25);
    const [line] = body.lines as { tax: number; details: { jurisType: string; rate: number; tax: number }[] }[];
    assert.equal(line?.tax, 7.25);
    assert.deepEqual(
      line?.details.map((d) => [d.jurisType, d.rate, d.tax]),
      [
        ['STA', 0.06, 6],
        ['CTY', 0.0025, 0.25],
        ['STJ', 0.01, 1],
      ],
    );
    assert.equal((body.summary as unknown[]).length, 3);
    assert.equal((await call('GET', '/api/v2/companies/DEFAULT/transactions/estimate-1')).status, 404);
  });

  it('saves and commits a SalesInvoice, retrievable by company and code', async () => {
    const created = await create({ type: 'SalesInvoice', code: 'INV-1001', commit: true });
    assert.equal(created.body.status, 'Committed');
    assert.ok(typeof created.body.id === 'number' && created.body.id > 0);
    const read = await call('GET', '/api/v2/companies/DEFAULT/transactions/INV-1001');
    assert.equal(read.status, 200);
    assert.equal(read.body.totalTax, 7.25);
    assert.equal(read.body.id, created.body.id);
    const conflict = await create({ type: 'SalesInvoice', code: 'INV-1001', commit: true });
    assert.equal(conflict.status, 400);
    assert.equal(conflict.body.error?.code, 'DocumentCodeConflict');
  });

  it('commits a saved invoice later and voids it', async () => {
    const saved = await create({ type: 'SalesInvoice', code: 'INV-1002' });
    assert.equal(saved.body.status, 'Saved');
    const committed = await call('POST', '/api/v2/companies/DEFAULT/transactions/INV-1002/commit', { commit: true });
    assert.equal(committed.body.status, 'Committed');
    const voided = await call('POST', '/api/v2/companies/DEFAULT/transactions/INV-1002/void', { code: 'DocVoided' });
    assert.equal(voided.body.status, 'Cancelled');
  });

  it('applies the tax table by jurisdiction and tax code', async () => {
    const tax = async (shipTo: Record<string, string>, taxCode: string): Promise<unknown> =>
      (await create({ addresses: { shipFrom: SHIP_FROM, shipTo }, lines: [{ amount: 200, taxCode }] })).body.totalTax;
    assert.equal(await tax({ region: 'OR', country: 'US' }, 'P0000000'), 0);
    assert.equal(await tax({ region: 'NY', country: 'US' }, 'SW054000'), 17.75);
    assert.equal(await tax(LA, 'SW054000'), 0);
    assert.equal(await tax({ region: 'TX', country: 'US' }, 'NT'), 0);
    assert.equal(await tax({ country: 'DE' }, 'SW054000'), 38);
    assert.equal(await tax({ region: 'OH', country: 'US' }, 'P0000000'), 10);
  });

  it('adds up lines and their destinations in the summary, and honours taxIncluded', async () => {
    const { body } = await create({
      lines: [
        { number: '1', amount: 100, taxCode: 'P0000000' },
        { number: '2', amount: 50, taxCode: 'P0000000' },
        { number: '3', amount: 119, taxCode: 'P0000000', taxIncluded: true, addresses: { shipTo: { country: 'DE' } } },
      ],
    });
    // US lines: 7.25 + 3.63 (each levy rounded to cents); the German line holds 19 of VAT in its 119.
    assert.equal(body.totalTax, 29.88);
    assert.equal(body.totalAmount, 250);
    const summary = body.summary as { jurisType: string; region: string; taxable: number; tax: number }[];
    const state = summary.find((s) => s.jurisType === 'State');
    assert.deepEqual([state?.region, state?.taxable, state?.tax], ['CA', 150, 9]);
    assert.equal(summary.find((s) => s.jurisType === 'Country')?.tax, 19);
  });

  it('lists the origin and each distinct destination once in addresses', async () => {
    const { body } = await create({
      lines: [
        { number: '1', amount: 10 },
        // Equal to the document's destination, but its own object: the same address.
        { number: '2', amount: 10, addresses: { shipTo: { ...LA } } },
        { number: '3', amount: 10, addresses: { shipTo: { country: 'DE', city: 'Berlin' } } },
        { number: '4', amount: 10, addresses: { shipTo: { country: 'DE', city: 'Berlin' } } },
      ],
    });
    const addresses = body.addresses as { id: number; city: string | null; country: string }[];
    assert.deepEqual(
      addresses.map((a) => [a.city, a.country]),
      [
        ['Bainbridge Island', 'US'],
        ['Los Angeles', 'US'],
        ['Berlin', 'DE'],
      ],
    );
    assert.equal(body.country, 'US');
  });

  it('takes a __proto__ key in the body as an unknown field, touching no prototype', async () => {
    const text = JSON.stringify({ type: 'SalesOrder', date: '2026-06-01', customerCode: 'ABC', addresses: { shipFrom: SHIP_FROM, shipTo: LA }, lines: [{ amount: 100 }] });
    const { status, body } = await call('POST', '/api/v2/transactions/create', `{"__proto__":{"polluted":true},${text.slice(1)}`);
    assert.equal(status, 200);
    assert.equal(body.totalTax, 7.25);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const empty = await call('POST', '/api/v2/transactions/create', '');
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error?.code, 'ModelStateInvalid');
  });

  it('answers bad input with AvaTax error bodies, never crashing', async () => {
    const cases: [Record<string, unknown> | string, number, string][] = [
      [{ addresses: {} }, 400, 'MissingAddress'],
      [{ lines: [{ amount: 10, taxCode: 'ZZ999' }] }, 400, 'EntityNotFoundError'],
      [{ customerCode: undefined }, 400, 'ValueRequiredError'],
      [{ lines: [] }, 400, 'MissingLine'],
      [{ type: 'Quote' }, 400, 'InvalidDocumentType'],
      [{ date: 'yesterday' }, 400, 'DateFormatError'],
      [{ addresses: { singleLocation: { country: 'Narnia' } } }, 400, 'InvalidCountry'],
      [{ lines: [{ amount: 'ten' }] }, 400, 'ValueRequiredError'],
    ];
    for (const [model, status, code] of cases) {
      const { status: got, body } = await create(model as Record<string, unknown>);
      assert.equal(got, status, code);
      assert.equal(body.error?.code, code);
      assert.equal(typeof body.error?.message, 'string');
      assert.ok(Array.isArray(body.error?.details) && body.error.details.length === 1);
    }
    const garbage = await call('POST', '/api/v2/transactions/create', '{"lines": [');
    assert.equal(garbage.status, 400);
    assert.equal(garbage.body.error?.code, 'JsonFormatError');
    const notAnObject = await call('POST', '/api/v2/transactions/create', [1, 2]);
    assert.equal(notAnObject.body.error?.code, 'ModelRequiredException');
  });

  it('refuses missing credentials with AuthenticationException', async () => {
    const { status, body } = await call('POST', '/api/v2/transactions/create', {}, null);
    assert.equal(status, 401);
    assert.equal(body.error?.code, 'AuthenticationException');
    assert.equal(body.error?.target, 'HttpRequestHeaders');
  });

  it('answers injected faults in AvaTax shape', async () => {
    sandbox.faults.patch({ maintenance: true });
    const down = await create({});
    assert.equal(down.status, 503);
    assert.equal(down.body.error?.code, 'ServerUnreachable');
    sandbox.faults.patch({ maintenance: false, rateLimit: { burst: 1 } });
    const limited = await create({});
    assert.equal(limited.status, 429);
    assert.equal((await create({})).status, 200);
  });
});
