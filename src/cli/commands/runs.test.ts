/**
 * `interlock runs` as operators run it: a child process on the same store as a flow runtime.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, type CliResult } from '../../../test/support/cli.ts';
import { ManualClock } from '../../core/clock.ts';
import { defineFlow } from '../../flows/define-flow.ts';
import { openStore } from '../../store/open-store.ts';
import type { Store } from '../../store/store.ts';
import { testRuntime, type TestRuntime } from '../../../test/flows/flow-harness.ts';

let dir = '';
let store: Store;
let t: TestRuntime;

function cli(args: string[]): Promise<CliResult> {
  return runCli(args, { dir });
}

const flow = defineFlow({
  name: 'cli-approval',
  version: 1,
  async run(ctx) {
    const d = await ctx.step.approval('ok', { what: 'discount' });
    return d.reason;
  },
});

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'interlock-cli-runs-'));
  store = await openStore({ kind: 'sqlite', sqlitePath: path.join(dir, 'interlock.db') });
  // The CLI resumes runs on the real clock; the test's clock starts there.
  t = testRuntime(store, [flow], { clock: new ManualClock(Date.now()) });
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('interlock runs', () => {
  it('lists and shows runs, and records an approval given on the command line', async () => {
    const { runId } = await t.rt.start('cli-approval', { key: 'opp-1' });
    await t.rt.worker.runDue();
    const list = await cli(['runs', 'list', '--json', '--status', 'waiting']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual((JSON.parse(list.stdout) as Array<{ id: number; waitingFor: string }>).map((r) => [r.id, r.waitingFor]), [[runId, '@approval']]);
    const approve = await cli(['runs', 'approve', String(runId), '--reason', 'fine by finance']);
    assert.equal(approve.code, 0, approve.stderr);
    assert.match((JSON.parse(approve.stdout) as { by: string }).by, /^cli:/);
    t.clock.advance(Date.now() + 1000 - t.clock.now());
    await t.rt.worker.runDue();
    const show = await cli(['runs', 'show', String(runId)]);
    const run = JSON.parse(show.stdout) as { status: string; output: unknown; steps: Array<{ name: string; result: { reason: string } }> };
    assert.equal(run.status, 'completed');
    assert.equal(run.output, 'fine by finance');
    assert.equal(run.steps[0]?.result.reason, 'fine by finance');
  });

  it('fails with a one-line error for an unknown run or a bad id', async () => {
    const missing = await cli(['runs', 'show', '424242']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no run with id 424242/);
    const bad = await cli(['runs', 'cancel', 'abc']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /positive whole number/);
  });
});
