/**
 * The console in a real browser (Debian's Chromium) on a running Interlock with the sandboxes and
 * the demo story played: an operator finds a deal by its Salesforce id and sees its path through
 * NetSuite and Stripe; a viewer cannot press operator buttons (and the API refuses them anyway);
 * an operator replays a dead letter and its destination receives it once, and its lineage shows the
 * message delivered; an approver approves a pending order; an operator
 * runs a reconciliation report; the contract registry diffs two versions.
 * Screenshots go to test-artifacts/console/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkipReason, launchBrowser, screenshot, signIn, type Browser } from './support/browser.ts';
import { startConsoleHost, type ConsoleHost } from './support/console-host.ts';

const skip = browserSkipReason();

describe('the operations console in Chromium', { skip }, () => {
  let h: ConsoleHost;
  let browser: Browser;
  let replayedEvent: string | undefined;
  const page = async (): Promise<Page> => {
    const p = await browser.newPage();
    // Fail in seconds, not the default 30 s: every screen here answers from a local server.
    p.setDefaultTimeout(15_000);
    return p;
  };

  before(async () => {
    h = await startConsoleHost();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('lets an operator find a deal by its Salesforce id and see its path through NetSuite and Stripe', async () => {
    const p = await page();
    await signIn(p, h.base, h.keys.operator);
    await p.getByTestId('kpis').waitFor();
    // The demo declares SLOs, and the story's deals count in them.
    assert.match(await p.getByTestId('slos').innerText(), /deals-booked-fast[\s\S]*95\.0% over 28d[\s\S]*100\.00%/);
    await screenshot(p, 'overview');
    const deal = h.story.deals.find((d) => d.deal.key === 'support')!;
    await p.getByLabel('find any id').fill(deal.id);
    await p.getByLabel('find any id').press('Enter');
    await p.getByTestId('lanes').waitFor();
    for (const lane of ['salesforce', 'interlock', 'netsuite', 'stripe']) {
      assert.ok((await p.getByTestId(`lane-${lane}`).getByTestId('lineage-node').count()) > 0, `the ${lane} lane has nodes`);
    }
    assert.ok((await p.getByTestId('timeline').locator('tr').count()) > 0, 'the trace timeline has spans');
    // Its own path only: the story's other deals (same sandboxes, same products) are not in it.
    for (const other of h.story.deals.filter((d) => d !== deal)) {
      assert.equal(await p.getByTestId('lineage-node').filter({ hasText: other.id }).count(), 0, `${other.deal.key} is another deal`);
    }
    await p.getByTestId('lane-netsuite').getByTestId('lineage-node').first().click();
    await p.getByTestId('node-detail').waitFor();
    await screenshot(p, 'lineage');
    // Payloads are shown with secrets masked: no credential of any kind reaches the page.
    const text = await p.locator('body').innerText();
    assert.doesNotMatch(text, /Bearer [A-Za-z0-9]|sk_(test|live)_\w{8}|whsec_\w{8}|ilk_live_/);
  });

  it('shows a viewer every screen but no operator button it could press, and the API refuses the action anyway', async () => {
    const id = await h.parkDeadLetter('console-viewer-1');
    const p = await page();
    await signIn(p, h.base, h.keys.viewer);
    // A bookmark opens its screen directly (the server answers every console path with the app).
    await p.goto(`${h.base}/console/dead-letters`);
    const row = p.getByTestId(`dead-letter-${id}`);
    await row.waitFor();
    assert.equal(await row.getByTestId('replay-one').isDisabled(), true);
    assert.equal(await row.getByTestId('replay-one').getAttribute('title'), 'needs the operator role');
    assert.equal(await p.getByTestId('replay-selected').isDisabled(), true);
    assert.equal(await p.getByTestId('discard-selected').isDisabled(), true);
    await screenshot(p, 'viewer-dead-letters');
    const run = h.story.deals[0]!;
    const runs = await h.admin<{ items: Array<{ id: number }> }>(`/admin/runs?key=${run.id}`);
    await p.goto(`${h.base}/console/runs/${runs.items[0]!.id}`);
    await p.getByTestId('steps').waitFor();
    assert.equal(await p.getByTestId('run-retry').isDisabled(), true);
    assert.equal(await p.getByTestId('run-cancel').isDisabled(), true);
    await screenshot(p, 'viewer-run');
    const refused = await fetch(`${h.base}/admin/dead-letters/${id}/replay`, { method: 'POST', headers: { authorization: `Bearer ${h.keys.viewer}` } });
    assert.equal(refused.status, 403);
    assert.equal((await h.admin<{ state: string }>(`/admin/dead-letters/${id}`)).state, 'parked');
  });

  it('lets an operator inspect a dead letter and replay it, and its destination receives it once', async () => {
    const id = await h.parkDeadLetter('console-replay-1');
    const p = await page();
    await signIn(p, h.base, h.keys.operator);
    await p.goto(`${h.base}/console/dead-letters`);
    const row = p.getByTestId(`dead-letter-${id}`);
    await row.getByRole('button', { name: 'Inspect' }).click();
    const detail = p.getByTestId('dead-letter-detail');
    await detail.getByText('SO-CONSOLE-1').first().waitFor();
    assert.match(await detail.innerText(), /ledger period closed/);
    h.ledger.accepting = true;
    await row.getByTestId('replay-one').click();
    await p.getByRole('status').getByText('Replayed 1 dead letter').waitFor();
    // Recorded under the key that acted (its label and id), not a name the browser could type.
    await detail.getByText(/console test operator \(key:\w+\)/).first().waitFor();
    assert.match(await detail.innerText(), /state\s+replayed/);
    for (let i = 0; i < 100 && !h.ledger.received.some((b) => b.includes('SO-CONSOLE-1')); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.ledger.received.filter((b) => b.includes('SO-CONSOLE-1')).length, 1, 'delivered once');
    await screenshot(p, 'dead-letter-replayed');
    const audit = await h.admin<{ items: Array<{ actor: string; action: string }> }>('/admin/audit?limit=20');
    assert.ok(audit.items.some((a) => a.action === 'dead-letter.replay'), 'the replay is audited');
    replayedEvent = 'console-replay-1';
  });

  it('follows a replayed dead letter to its lineage and shows its message delivered', async () => {
    assert.ok(replayedEvent !== undefined, 'the replay test ran first');
    const p = await page();
    await signIn(p, h.base, h.keys.operator);
    await p.goto(`${h.base}/console/search/${replayedEvent}`);
    await p.getByTestId('lanes').waitFor();
    await p.getByTestId('lineage-node').filter({ hasText: 'delivered' }).first().waitFor({ timeout: 5000 });
    // The timeline tells what happened to it: parked, then replayed by the operator's key.
    const timeline = await p.getByTestId('timeline').innerText();
    assert.match(timeline, /parked as dead letter #\d+: HTTP 422/);
    assert.match(timeline, /replayed by console test operator \(key:\w+\)/);
    await screenshot(p, 'dead-letter-lineage');
  });

  it('lets an approver approve a pending order with a reason, and the run goes on', async () => {
    const { runId } = await h.pendingApproval();
    const p = await page();
    await signIn(p, h.base, h.keys.approver);
    await p.goto(`${h.base}/console/approvals`);
    const card = p.getByTestId(`approval-${runId}`);
    await card.getByLabel('reason').fill('discount within the quarter plan');
    await screenshot(p, 'approvals-inbox');
    await card.getByTestId('approve').click();
    await p.getByRole('status').getByText(`Run #${runId}: decision recorded`).waitFor();
    await screenshot(p, 'approval-approved');
    let status = '';
    for (let i = 0; i < 300 && status !== 'completed'; i++) {
      status = (await h.admin<{ status: string }>(`/admin/runs/${runId}`)).status;
      if (status !== 'completed') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 'completed');
    await p.goto(`${h.base}/console/runs/${runId}`);
    const summary = p.getByTestId('decision-summary');
    await summary.waitFor();
    assert.match(await summary.innerText(), /^approved by console test approver \(key:\w+\) — discount within the quarter plan$/);
  });

  it('lets an operator run a reconciliation report from the console and read it', async () => {
    const p = await page();
    await signIn(p, h.base, h.keys.operator);
    await p.goto(`${h.base}/console/reconcile`);
    const job = p.getByTestId('reconcile-jobs').locator('tr').nth(1);
    await job.getByRole('button', { name: 'Report', exact: true }).click();
    await p.getByRole('status').getByText('Reconciliation finished.').waitFor();
    await p.getByTestId('reconcile-report').waitFor();
    assert.match(await p.getByTestId('reconcile-runs').innerText(), /completed/);
    await screenshot(p, 'reconcile');
  });

  it('shows the contract registry and a visual diff between two versions of a contract', async () => {
    await h.publishOrderChange();
    const p = await page();
    await signIn(p, h.base, h.keys.viewer);
    await p.goto(`${h.base}/console/contracts/order`);
    const diff = p.getByTestId('schema-diff');
    await diff.waitFor();
    const added = (await diff.locator('.add').allInnerTexts()).join('\n');
    assert.match(added, /"purchaseOrderNumber": \{/);
    assert.match(added, /"maxLength": 40/);
    assert.equal(await diff.locator('.del').count(), 0);
    await screenshot(p, 'contract-diff');
  });
});
