/**
 * `interlock sandbox [--seed] [--port <base>] [--only stripe,avalara] [--state <dir>]`: starts
 * the vendor sandboxes and prints one JSON line per sandbox as it becomes ready,
 * `{"sandbox":"<name>","url":"<base url>"}`, then runs until Ctrl-C or SIGTERM and closes them.
 */
import type { Command } from 'commander';
import { validationError } from '../../core/errors.ts';
import type { SandboxInstance } from '../../sandboxes/kit/index.ts';
import { untilSignal } from '../signals.ts';

interface SandboxCommandOptions {
  seed?: boolean;
  port?: number;
  only?: string[];
  state?: string;
  host: string;
}

/** Registers `interlock sandbox`. */
export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('run the local vendor sandboxes (Stripe, Avalara, Salesforce, NetSuite) with fault injection')
    .option('--seed', 'load each sandbox with its demo data set')
    .option(
      '--port <base>',
      'base port: each sandbox listens on base + its place in the registry (default: free ports)',
      parsePort,
    )
    .option('--only <names>', 'comma-separated sandboxes to start (default: all)', (v: string) =>
      v.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    )
    .option('--state <dir>', 'keep each sandbox state in <dir>/<name>.sqlite so it survives a restart')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .action(async (opts: SandboxCommandOptions) => {
      // Loaded here so that other commands do not pay for the sandboxes' start-up.
      const { startSandboxes } = await import('../../sandboxes/registry.ts');
      const instances: SandboxInstance[] = await startSandboxes({
        seed: opts.seed === true,
        basePort: opts.port,
        only: opts.only,
        statePath: opts.state,
        host: opts.host,
        onReady: (s) => process.stdout.write(`${JSON.stringify({ sandbox: s.name, url: s.url })}\n`),
      });
      await untilSignal();
      await Promise.allSettled(instances.map((s) => s.close()));
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw validationError(`--port must be a port number, got "${value}"`);
  return port;
}
