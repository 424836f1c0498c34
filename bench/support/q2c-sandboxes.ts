/**
 * The four seeded sandboxes of the q2c benchmark, in a worker thread of their own so that their
 * work never shares the event loop (or the profile) of the engine under test. The main thread
 * gets their URLs, the NetSuite M2M key, the thread's CPU time, and can reset them to the seed
 * between phases, and profile the thread over a stretch of its choosing.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { avalaraSandbox } from '../../src/sandboxes/avalara/avalara-sandbox.ts';
import type { SandboxInstance } from '../../src/sandboxes/kit/index.ts';
import { netSuiteSandbox } from '../../src/sandboxes/netsuite/netsuite-sandbox.ts';
import { createSalesforceSandbox } from '../../src/sandboxes/salesforce/salesforce-sandbox.ts';
import { stripeSandbox } from '../../src/sandboxes/stripe/stripe-sandbox.ts';
import { createDynamicsSandbox } from '../../src/sandboxes/dynamics/dynamics-sandbox.ts';
import { sapSandbox } from '../../src/sandboxes/sap/sap-sandbox.ts';
import { startThreadProfile, type ThreadProfile } from './q2c-profile.ts';

/** The sandboxes as the bench process sees them. */
export interface SandboxThread {
  /** Base URL per sandbox name (`salesforce`, `netsuite`, `stripe`, `avalara`). */
  urls: Readonly<Record<string, string>>;
  /** CPU milliseconds the sandbox thread has used so far. */
  cpuMs(): Promise<number>;
  /** Back to the seed data, faults cleared. */
  reset(): Promise<void>;
  /** Starts a CPU profile of the sandbox thread. */
  startProfile(): Promise<void>;
  /** Stops it and writes `<dir>/<name>.cpuprofile`. */
  stopProfile(dir: string, name: string): Promise<void>;
  close(): Promise<void>;
}

type Reply = { urls: Record<string, string> } | { cpuMs: number } | { done: true };
type Message = 'cpu' | 'reset' | 'profile' | 'close' | { stopProfile: { dir: string; name: string } };

/** Starts the sandbox thread of a story (the first: four; the manufacturer's: Dynamics, SAP, Avalara) and resolves once every sandbox listens. */
export async function startSandboxThread(story: 'first' | 'manufacturer' = 'first'): Promise<SandboxThread> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { q2cSandboxes: true, story } });
  // A thread that exits (or fails) answers nothing: its waiter is told why instead of waiting on.
  const next = (): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const onMessage = (reply: Reply): void => {
        worker.off('exit', onExit);
        resolve(reply);
      };
      const onExit = (code: number): void => {
        worker.off('message', onMessage);
        reject(new Error(`the q2c sandbox thread exited (code ${code}) before it answered`));
      };
      worker.once('message', onMessage);
      worker.once('exit', onExit);
    });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const failure = new Promise<never>((_, reject) => worker.once('error', reject));
  failure.catch(() => undefined);
  const ask = async (message: Message): Promise<Reply> => {
    worker.postMessage(message);
    return Promise.race([next(), failure]);
  };
  const first = await Promise.race([next(), failure]);
  if (!('urls' in first)) throw new Error('the sandbox thread did not report its URLs');
  return {
    urls: first.urls,
    cpuMs: async () => {
      const reply = await ask('cpu');
      return 'cpuMs' in reply ? reply.cpuMs : 0;
    },
    reset: async () => {
      await ask('reset');
    },
    startProfile: async () => {
      await ask('profile');
    },
    stopProfile: async (dir, name) => {
      await ask({ stopProfile: { dir, name } });
    },
    close: async () => {
      worker.postMessage('close');
      await exited;
    },
  };
}

// The sandbox thread: defaults of every sandbox (NetSuite's 5 concurrent requests included),
// except Salesforce's daily API allowance, which a long run would exhaust.
async function serve(story: unknown): Promise<void> {
  const factories = story === 'manufacturer' ? [createDynamicsSandbox(), sapSandbox, avalaraSandbox] : [createSalesforceSandbox({ dailyApiLimit: 1_000_000_000 }), netSuiteSandbox, stripeSandbox, avalaraSandbox];
  const sandboxes: SandboxInstance[] = [];
  for (const factory of factories) sandboxes.push(await factory.start({ host: '127.0.0.1', port: 0, seed: true }));
  let profile: ThreadProfile | undefined;
  const done = (): void => parentPort?.postMessage({ done: true });
  parentPort?.on('message', (message: Message) => {
    if (message === 'cpu') {
      const used = process.threadCpuUsage();
      parentPort?.postMessage({ cpuMs: (used.user + used.system) / 1000 });
    } else if (message === 'reset') {
      void Promise.all(sandboxes.map((s) => s.reset())).then(done);
    } else if (message === 'profile') {
      void startThreadProfile().then((p) => {
        profile = p;
        done();
      });
    } else if (typeof message === 'object') {
      void (profile?.stop(message.stopProfile.dir, message.stopProfile.name) ?? Promise.resolve()).then(done);
    } else {
      void Promise.all(sandboxes.map((s) => s.close())).then(() => parentPort?.close());
    }
  });
  parentPort?.postMessage({ urls: Object.fromEntries(sandboxes.map((s) => [s.name, s.url])) });
}

const data = workerData as { q2cSandboxes?: unknown; story?: unknown } | null;
if (!isMainThread && data?.q2cSandboxes === true) await serve(data.story);
