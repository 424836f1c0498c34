/**
 * Every vendor sandbox, and how to start several at once (what `interlock sandbox` and the demo
 * use). Adding a sandbox is its folder plus one line in {@link SANDBOXES}.
 */
import path from 'node:path';
import { validationError } from '../core/errors.ts';
import { avalaraSandbox } from './avalara/avalara-sandbox.ts';
import { dynamicsSandbox } from './dynamics/dynamics-sandbox.ts';
import type { SandboxFactory, SandboxInstance } from './kit/index.ts';
import { netSuiteSandbox } from './netsuite/netsuite-sandbox.ts';
import { salesforceSandbox } from './salesforce/salesforce-sandbox.ts';
import { sapSandbox } from './sap/sap-sandbox.ts';
import { stripeSandbox } from './stripe/stripe-sandbox.ts';

/**
 * The sandboxes, in start order. With a base port, each gets `basePort + its index here`, so
 * keep the order stable (new sandboxes go at the end).
 */
export const SANDBOXES: readonly SandboxFactory[] = [stripeSandbox, avalaraSandbox, salesforceSandbox, netSuiteSandbox, dynamicsSandbox, sapSandbox];

/** Options of {@link startSandboxes}. */
export interface StartSandboxesOptions {
  /** Load each sandbox's demo data set. @default false */
  seed?: boolean;
  /** A directory for state files (`<dir>/<name>.sqlite`); in memory when absent. */
  statePath?: string;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port of the first sandbox; the others follow in {@link SANDBOXES} order. @default ephemeral ports */
  basePort?: number;
  /** Names of the sandboxes to start. @default all */
  only?: readonly string[];
  /** Called as each sandbox becomes ready, before the next one starts. */
  onReady?: (instance: SandboxInstance) => void;
}

/**
 * Starts the chosen sandboxes one after another. If one fails, those already started are
 * closed and the error is rethrown; an unknown name in `only` is a `validation` error.
 */
export async function startSandboxes(options: StartSandboxesOptions = {}): Promise<SandboxInstance[]> {
  const known = SANDBOXES.map((s) => s.name);
  const unknown = (options.only ?? []).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw validationError(`unknown sandbox ${unknown.map((n) => `"${n}"`).join(', ')}; known sandboxes: ${known.join(', ')}`);
  }
  const started: SandboxInstance[] = [];
  try {
    for (const [index, factory] of SANDBOXES.entries()) {
      if (options.only !== undefined && !options.only.includes(factory.name)) continue;
      const instance = await factory.start({
        host: options.host,
        port: options.basePort === undefined ? 0 : options.basePort + index,
        seed: options.seed,
        statePath: options.statePath === undefined ? undefined : path.join(options.statePath, `${factory.name}.sqlite`),
      });
      started.push(instance);
      options.onReady?.(instance);
    }
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw err;
  }
  return started;
}
