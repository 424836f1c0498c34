/**
 * SIGKILL between every pair of steps: for each step of the five-step flow, a worker process is
 * killed the instant the step's effect reaches the sink (before the step is journaled), then a
 * new process recovers the run. Each run must end completed with exactly one effect per step.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { it } from 'node:test';
import { systemClock } from '../../src/core/clock.ts';
import { FlowRegistry } from '../../src/engine/flows/registry.ts';
import { FlowRuntime } from '../../src/engine/flows/runtime.ts';
import { FIVE_STEPS } from '../../src/flows/samples/five-steps.ts';
import { startSink, type SinkEffect } from '../../src/sandboxes/sink/sink.ts';
import { eventually } from '../support/engine-harness.ts';
import { silentLog } from '../support/engine-fixtures.ts';
import { describeEachStore } from '../support/stores.ts';
import { CRASH_FLOW, crashFlow } from './crash-flow.ts';

const CHILD = path.join(import.meta.dirname, 'crash-child.ts');

describeEachStore('flow crash recovery', (get) => {
  it('a worker killed after each step\'s effect leaves exactly one effect per step once the run recovers', async (t) => {
    let child: ChildProcess | undefined;
    let killAt: { run: string; step: string } | undefined;
    const spawnChild = () => {
      child = spawn(process.execPath, [CHILD, JSON.stringify({ store: get().config, sinkUrl: sink.url })], { stdio: 'ignore' });
    };
    const exited = () => new Promise((r) => (child?.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
    const sink = await startSink({
      onEffect: (e: SinkEffect) => {
        const { run, step } = JSON.parse(e.body) as { run: string; step: string };
        // Kill before the worker hears the answer: the effect is applied, its step not journaled.
        if (killAt !== undefined && run === killAt.run && step === killAt.step) child?.kill('SIGKILL');
      },
    });
    const rt = new FlowRuntime({ store: get().store, clock: systemClock, log: silentLog, registry: new FlowRegistry().register(crashFlow(sink.url)), worker: 'observer', leaseMs: 1500, pollMs: 50 });
    const report: Array<{ run: string; killedAfter: string; effects: number; attempts: number[] }> = [];
    try {
      for (const step of FIVE_STEPS) {
        const key = `run-after-${step}`;
        const { runId } = await rt.start(CRASH_FLOW, { key });
        killAt = { run: key, step };
        spawnChild();
        await exited();
        assert.equal(child?.signalCode, 'SIGKILL', `the worker was killed at step ${step}`);
        killAt = undefined;
        spawnChild();
        const done = await eventually(async () => (await rt.runs.get(runId)).status === 'completed', 30_000);
        child?.kill('SIGTERM');
        await exited();
        assert.ok(done, `run ${key} completed after recovery`);
        const mine = sink.effects.filter((e) => (JSON.parse(e.body) as { run: string }).run === key);
        assert.deepEqual(mine.map((e) => (JSON.parse(e.body) as { step: string }).step), [...FIVE_STEPS], 'one effect per step, in order');
        const run = await rt.runs.get(runId);
        assert.deepEqual(run.steps.map((s) => [s.name, s.status]), FIVE_STEPS.map((s) => [s, 'completed']));
        const attempts = mine.map((e) => sink.attemptsOf(e.key));
        // The killed step ran again after recovery; the sink saw its key twice and applied it once.
        assert.equal(attempts[FIVE_STEPS.indexOf(step)], 2);
        report.push({ run: key, killedAfter: step, effects: mine.length, attempts });
      }
      t.diagnostic(JSON.stringify({ kills: report.length, report }));
    } finally {
      if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await sink.close();
    }
  });
});
