/**
 * `interlock sandbox` as a user runs it: a child process that prints one JSON ready line per
 * sandbox, serves on the printed URL, and exits cleanly on SIGTERM.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('interlock sandbox', () => {
  it('prints a ready line per sandbox, serves it, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/interlock.js', 'sandbox', '--only', 'stripe', '--seed'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    try {
      const lines = createInterface({ input: child.stdout });
      const first = await new Promise<string>((resolve, reject) => {
        lines.once('line', resolve);
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      const ready = JSON.parse(first) as { sandbox: string; url: string };
      assert.deepEqual(Object.keys(ready), ['sandbox', 'url']);
      assert.equal(ready.sandbox, 'stripe');
      assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const prices = await fetch(`${ready.url}/v1/prices?limit=1`, { headers: { authorization: 'Bearer sk_test_cli' } });
      assert.equal(prices.status, 200);
      assert.equal(((await prices.json()) as { data: unknown[] }).data.length, 1);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    assert.equal(code, 0);
  });

  it('refuses an unknown sandbox with exit code 2 and a readable message', async () => {
    const child = spawn(process.execPath, ['bin/interlock.js', 'sandbox', '--only', 'zuora'], { cwd: root });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    assert.equal(code, 2);
    assert.match(stderr, /unknown sandbox "zuora"/);
  });
});
