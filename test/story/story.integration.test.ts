/**
 * The first story end to end, on both stores, the way it runs in production: `interlock start`
 * as a child process with the four sandboxes as its systems (Salesforce CDC in, Stripe webhooks
 * in), the demo scenario played against it — and everything going wrong at once: CDC events and
 * Stripe webhooks delivered twice, Stripe's webhooks shuffled out of order, 30% of NetSuite
 * requests committed and then left unanswered, a 429 storm at Stripe, and the worker SIGKILLed
 * mid-flow and restarted. At the end every system must hold exactly what it should.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { stringify } from 'yaml';
import { systemClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/core/config.ts';
import { registerStripeWebhook, sandboxConnectors, sandboxNamed } from '../../src/demo/demo-config.ts';
import { playScenario } from '../../src/demo/scenario.ts';
import { DeadLetters } from '../../src/engine/dead-letters.ts';
import { FlowRuntime } from '../../src/engine/flows/runtime.ts';
import { builtInFlows } from '../../src/flows/index.ts';
import type { LeadToOrderDeps } from '../../src/flows/lead-to-order/deps.ts';
import { openStorySystems } from '../../src/flows/story.ts';
import type { SandboxInstance } from '../../src/sandboxes/kit/index.ts';
import { startSandboxes } from '../../src/sandboxes/registry.ts';
import { silentLog } from '../support/engine-fixtures.ts';
import { describeEachStore } from '../support/stores.ts';
import { freePort, waitReady } from '../support/ports.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/interlock.js');

describeEachStore('the first story end to end, with faults and a crash', (get) => {
  let sandboxes: SandboxInstance[];
  let systems: LeadToOrderDeps;
  let dir: string;

  before(async () => {
    sandboxes = await startSandboxes({ seed: true });
    dir = mkdtempSync(path.join(tmpdir(), 'interlock-story-'));
  });
  after(async () => {
    await systems?.close();
    await Promise.allSettled(sandboxes.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const faults = async (name: string, settings: Record<string, unknown>) => {
    const res = await fetch(`${sandboxNamed(sandboxes, name).url}/__sandbox/faults`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
    assert.equal(res.status, 200, await res.text());
  };

  // Up to 90 s of settling per stage (backoffs under faults): more than the suite's 120 s default.
  it('books every closed-won deal exactly once, feeds billing back and renews, through duplicates, drops, 429s and a SIGKILL', { timeout: 400_000 }, async (t) => {
    const { config: storeConfig, store } = get();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const connectors = await sandboxConnectors(sandboxes);
    const secret = await registerStripeWebhook(sandboxNamed(sandboxes, 'stripe'), `${base}/hooks/stripe`);
    const values = {
      server: { port },
      store: storeConfig.kind === 'sqlite' ? { kind: 'sqlite', sqlite: { path: storeConfig.sqlitePath } } : { kind: 'postgres', postgres: { url: storeConfig.postgresUrl } },
      log: { level: 'error' },
      outbound: { allow: ['127.0.0.1'] },
      worker: { lease: '3s', poll: '100ms' },
      connectors,
      sources: { stripe: { eventId: { path: 'id' }, signature: { scheme: 'stripe', secrets: [secret] } } },
    };
    const configFile = path.join(dir, `interlock-${storeConfig.kind}.yaml`);
    writeFileSync(configFile, stringify(values));
    systems = (await openStorySystems(loadConfig({ values, env: {} })))!;

    let child: ChildProcess | undefined;
    const spawnChild = async () => {
      child = spawn(process.execPath, [BIN, 'start', '--config', configFile], { stdio: ['ignore', 'ignore', 'inherit'] });
      await waitReady(base);
    };
    await spawnChild();

    await faults('salesforce', { duplicateEventRate: 0.5 });
    await faults('netsuite', { dropResponseRate: 0.3 });
    await faults('stripe', { duplicateEventRate: 0.5, outOfOrderEvents: true });

    const flows = new FlowRuntime({ store, clock: systemClock, log: silentLog, registry: builtInFlows(systems, store), worker: 'test', leaseMs: 3000, pollMs: 100 });
    const deadLetters = new DeadLetters(store, systemClock);
    let kills = 0;
    let ticks = 0;
    const lines: string[] = [];
    try {
      const result = await playScenario({
        systems,
        runs: flows.runs,
        deadLetters: async () => (await deadLetters.list({}, 1000)).length,
        renew: async (subscription) => {
          // The renewal's webhooks arrive in a 429 storm too.
          await faults('stripe', { rateLimit: { burst: 25 } });
          const res = await fetch(`${sandboxNamed(sandboxes, 'stripe').url}/__sandbox/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subscription }) });
          assert.equal(res.status, 200, await res.text());
        },
        print: (line) => lines.push(line),
        settleMs: Number(process.env.STORY_SETTLE_MS ?? 90_000),
        onTick: async (standings) => {
          // The deals are closed: Stripe starts refusing with 429s.
          if (ticks++ === 0) await faults('stripe', { rateLimit: { burst: 25 } });
          // Kill the worker once mid-flow: some deal under way or booked, not all of them booked.
          // (Booked alone is not enough: every deal may go from under way to booked between two looks.)
          const states = [...standings.values()].map((s) => s.salesforce.status);
          if (kills === 0 && states.some((s) => s === 'In Progress' || s === 'Synced') && states.some((s) => s !== 'Synced')) {
            const exited = new Promise((r) => child?.once('exit', r));
            child?.kill('SIGKILL');
            kills++;
            await exited;
            await spawnChild();
          }
        },
      });
      t.diagnostic(`story [${storeConfig.kind}]: ${result.deals.length} deals, ${kills} SIGKILL, ${(result.elapsedMs / 1000).toFixed(1)} s; problems: ${result.problems.length === 0 ? 'none' : result.problems.join('; ')}`);
      const runs = await flows.runs.list({}, 50);
      const diagnosis = `${lines.join('\n')}\nruns:\n${runs.map((r) => `  ${r.id} ${r.flow} ${r.key} ${r.status} ${r.waitingFor ?? ''} wake=${r.wakeAt ?? ''} ${r.error ?? ''}`).join('\n')}`;
      assert.equal(kills, 1, `the worker was killed mid-flow\n${diagnosis}`);
      assert.deepEqual(result.problems, [], diagnosis);
      // Each deal's lead-to-order run completed once: retriggers by duplicate events attached or found it done.
      for (const d of result.deals) {
        const runs = await flows.runs.list({ key: d.id });
        assert.ok(runs.some((r) => r.status === 'completed'), `${d.deal.account}: ${JSON.stringify(runs)}`);
        assert.ok(runs.every((r) => r.status !== 'failed' && r.status !== 'compensated'), `${d.deal.account}: ${JSON.stringify(runs)}`);
      }
    } finally {
      child?.kill('SIGTERM');
      await new Promise((r) => (child?.exitCode !== null ? r(undefined) : child?.once('exit', r)));
    }
  });
});
