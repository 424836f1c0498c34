/**
 * The overview, connectors and search screens in Chromium against answers shaped exactly as the
 * observability contract has them (a stand-in API with every field filled): KPIs, SLO budgets
 * and burn, system health with circuit and rate-limit budget, a chart; lineage lanes, a node's
 * payload with its secret masked, the trace waterfall; and a 404 said in words.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../web/build.ts';
import { browserSkipReason, launchBrowser, screenshot, signIn, type Browser } from './support/browser.ts';
import { startFakeAdmin } from './support/fake-admin.ts';

describe('console screens on the observability contract', { skip: browserSkipReason() }, () => {
  let api: { base: string; close: () => Promise<void> };
  let browser: Browser;
  let p: Page;
  before(async () => {
    await ensureConsoleBuilt({ quiet: true });
    api = await startFakeAdmin('viewer');
    browser = await launchBrowser();
    p = await browser.newPage();
    p.setDefaultTimeout(15_000);
    await signIn(p, api.base, 'ilk_live_fake');
  });
  after(async () => {
    await browser?.close();
    await api?.close();
  });

  it('shows the KPIs, each SLO with its budget and burn, system health and a chart', async () => {
    await p.getByTestId('kpis').waitFor();
    assert.match(await p.getByTestId('kpi-Orders booked').innerText(), /128/);
    assert.match(await p.getByTestId('kpi-Order acceptance').innerText(), /96\.1%/);
    assert.match(await p.getByTestId('kpi-Closed won → ERP p95').innerText(), /1\.0 min/);
    const slos = await p.getByTestId('slos').innerText();
    assert.match(slos, /closed-won-booked[\s\S]*95\.0% over 28d[\s\S]*98\.10%[\s\S]*62\.0%[\s\S]*0\.40×/);
    assert.match(slos, /invoice-feedback[\s\S]*3\.20×/);
    assert.match(await p.getByTestId('systems').innerText(), /netsuite\s*degraded/);
    assert.equal(await p.getByTestId('chart-orders booked per hour').locator('svg path.line').count(), 1);
    await screenshot(p, 'overview-contract');
  });

  it('shows each connector with health, circuit, rate-limit budget and latency', async () => {
    await p.getByRole('link', { name: 'Connectors' }).click();
    assert.match(await p.getByTestId('connector-netsuite').innerText(), /degraded\s+half-open\s+3\s+410 ms/);
    assert.match(await p.getByTestId('connector-stripe').innerText(), /down\s+open\s+—\s+—/);
    await screenshot(p, 'connectors');
  });

  it('lays a lineage out by system, masks secrets in payloads and draws the trace', async () => {
    await p.getByLabel('find any id').fill('006FAKE');
    await p.getByLabel('find any id').press('Enter');
    await p.getByTestId('lanes').waitFor();
    const lanes = await p.getByTestId('lanes').locator('.lane h3').allInnerTexts();
    assert.deepEqual(lanes, ['Salesforce', 'Interlock', 'NetSuite', 'Stripe']);
    assert.match(await p.getByTestId('lane-interlock').innerText(), /book-order[\s\S]*3 attempts/);
    await p.getByTestId('lane-netsuite').getByTestId('lineage-node').click();
    const detail = await p.getByTestId('node-detail').innerText();
    assert.match(detail, /SO-88/);
    assert.match(detail, /book-order wrote this/);
    assert.doesNotMatch(detail, /abc\.def/);
    assert.match(detail, /••••••/);
    assert.equal(await p.getByTestId('timeline').locator('tr.span-error').count(), 1);
    await screenshot(p, 'lineage-contract');
  });

  it('says when nothing is known about an id', async () => {
    await p.getByLabel('find any id').fill('006NOPE');
    await p.getByLabel('find any id').press('Enter');
    await p.getByText('Nothing is known about 006NOPE.').waitFor();
  });
});
