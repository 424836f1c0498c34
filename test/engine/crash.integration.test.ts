/**
 * Crash safety: Interlock is SIGKILLed at random moments while 2,000 events flow through it;
 * after restarts every event has exactly one effect at the sink and none is lost. On both stores.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runCrashScenario } from '../support/crash-scenario.ts';
import { describeEachStore } from '../support/stores.ts';

const EVENTS = Number(process.env.CRASH_EVENTS ?? 2000);

describeEachStore('crash', (get) => {
  // Chaos runs 25 s, then recovery: give a loaded machine room beyond the suite's 120 s default.
  it(`SIGKILL at random moments: each of ${EVENTS} events has exactly one effect, none lost`, { timeout: 300_000 }, async (t) => {
    const { config } = get();
    const store = config.kind === 'sqlite' ? { kind: 'sqlite', sqlite: { path: config.sqlitePath } } : { kind: 'postgres', postgres: { url: config.postgresUrl } };
    const report = await runCrashScenario({ store, events: EVENTS, chaosMs: 25_000 });
    t.diagnostic(
      `crash report [${config.kind}]: ${report.events} events, ${report.kills} kills, ${report.attempts} attempts at the sink, ${report.effects} effects, ${report.lost.length} lost, ${report.duplicated.length} duplicated`,
    );
    assert.ok(report.kills >= 3, `the worker was killed ${report.kills} times`);
    assert.deepEqual(report.lost, []);
    assert.deepEqual(report.duplicated, []);
    assert.equal(report.effects, EVENTS);
  });
});
