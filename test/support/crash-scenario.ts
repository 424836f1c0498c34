/**
 * The crash scenario: Interlock runs as a child process (`interlock start`) that is killed with
 * SIGKILL at random moments and restarted, while webhook senders push `events` events at it
 * (retrying until they get a 202, as vendors do) and it delivers them to a recording sink that
 * applies each idempotency key once. Used by the crash test, and with a larger count by hand:
 * `CRASH_EVENTS=20000 node --test test/engine/crash.integration.test.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startSink } from '../../src/sandboxes/sink/sink.ts';
import { freePort, waitReady } from './ports.ts';

/** What the scenario observed. */
export interface CrashReport {
  events: number;
  kills: number;
  /** Requests the sink received (including retries after crashes). */
  attempts: number;
  /** Effects the sink applied (distinct idempotency keys). */
  effects: number;
  /** Event ids never delivered. */
  lost: string[];
  /** Event ids delivered under more than one idempotency key (a duplicate effect). */
  duplicated: string[];
}

const BIN = path.resolve(import.meta.dirname, '../../bin/interlock.js');

/** Runs the scenario against the store described by `store` (as in the config's `store` key). */
export async function runCrashScenario(options: {
  store: Record<string, unknown>;
  events: number;
  senders?: number;
  /** Keep killing for at most this long. @default 20000 */
  chaosMs?: number;
  /** Pace of the senders, so that events are still flowing when the kills come. @default 150 */
  eventsPerSecond?: number;
}): Promise<CrashReport> {
  const sink = await startSink();
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-crash-'));
  const port = await freePort();
  const configFile = path.join(dir, 'interlock.yaml');
  writeFileSync(
    configFile,
    stringify({
      server: { port },
      store: options.store,
      log: { level: 'error' },
      outbound: { allow: ['127.0.0.1'] },
      worker: { lease: '2s', poll: '100ms', batchSize: 128 },
      sources: { crash: { eventId: { path: 'id' }, routes: [{ destination: 'sink', key: 'key' }] } },
      destinations: { sink: { url: `${sink.url}/ok`, timeout: '1s', retry: { initialDelay: '50ms', maxDelay: '500ms', maxAttempts: 50 } } },
    }),
  );
  let child: ChildProcess | undefined;
  let kills = 0;
  const spawnChild = () => {
    child = spawn(process.execPath, [BIN, 'start', '--config', configFile, '--no-sample'], { stdio: 'ignore' });
  };
  spawnChild();

  let sent = 0;
  const base = `http://127.0.0.1:${port}`;
  // Senders give up in the end, so that a process that never comes up fails the run instead of
  // hanging it; the events they could not hand over count as lost.
  const giveUpAt = Date.now() + (options.chaosMs ?? 20_000) + 60_000;
  const send = async (i: number) => {
    const body = JSON.stringify({ id: `evt-${i}`, key: `k-${i % 50}`, n: i });
    while (Date.now() < giveUpAt) {
      try {
        const res = await fetch(`${base}/hooks/crash`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.arrayBuffer();
        if (res.status === 202) return;
      } catch {
        // Connection refused or reset: the process is down or was killed mid-request.
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const senderCount = options.senders ?? 8;
  const pauseMs = (1000 * senderCount) / (options.eventsPerSecond ?? 150);
  const senders = Array.from({ length: senderCount }, async () => {
    while (sent < options.events) {
      await send(sent++);
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  });
  const allSent = Promise.all(senders);

  const chaosEnd = Date.now() + (options.chaosMs ?? 20_000);
  let sending = true;
  void allSent.then(() => (sending = false));
  // Chaos for a bounded time (the test must end), then the last process is left to recover.
  while (Date.now() < chaosEnd && (sending || sink.effects.length < options.events)) {
    // Kill at a random moment of the process's working life, not only while it boots.
    await waitReady(base);
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 700));
    const exited = new Promise((r) => child?.once('exit', r));
    child?.kill('SIGKILL');
    kills += 1;
    await exited;
    spawnChild();
  }
  await allSent;
  const deadline = Date.now() + 60_000;
  while (sink.effects.length < options.events && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  child?.kill('SIGTERM');
  await new Promise((r) => (child?.exitCode !== null ? r(undefined) : child?.once('exit', r)));

  const byEvent = new Map<string, Set<string>>();
  for (const e of sink.effects) {
    const id = e.eventId ?? '?';
    const keys = byEvent.get(id) ?? new Set();
    keys.add(e.key);
    byEvent.set(id, keys);
  }
  const report: CrashReport = {
    events: options.events,
    kills,
    attempts: sink.attempts,
    effects: sink.effects.length,
    lost: Array.from({ length: options.events }, (_, i) => `evt-${i}`).filter((id) => !byEvent.has(id)),
    duplicated: [...byEvent].filter(([, keys]) => keys.size > 1).map(([id]) => id),
  };
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
  return report;
}
