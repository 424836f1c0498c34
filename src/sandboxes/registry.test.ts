/**
 * The sandbox registry: names are unique, `only` picks sandboxes, base ports are assigned in
 * registry order, and a bad name is refused before anything starts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InterlockError } from '../core/errors.ts';
import { SANDBOXES, startSandboxes } from './registry.ts';

describe('sandbox registry', () => {
  it('lists each sandbox once under a unique name', () => {
    const names = SANDBOXES.map((s) => s.name);
    assert.deepEqual(new Set(names).size, names.length);
    assert.ok(names.includes('stripe') && names.includes('avalara'));
  });

  it('starts only the named sandboxes, reporting each as ready', async () => {
    const ready: string[] = [];
    const started = await startSandboxes({ only: ['avalara'], onReady: (s) => ready.push(s.name) });
    try {
      assert.deepEqual(started.map((s) => s.name), ['avalara']);
      assert.deepEqual(ready, ['avalara']);
      const ping = await fetch(`${started[0]?.url}/api/v2/utilities/ping`);
      assert.equal(ping.status, 200);
    } finally {
      await Promise.all(started.map((s) => s.close()));
    }
  });

  it('gives each sandbox basePort plus its registry index', async () => {
    const base = await freePortPair();
    const started = await startSandboxes({ basePort: base, only: ['stripe', 'avalara'] });
    try {
      const ports = started.map((s) => [s.name, Number(new URL(s.url).port)]);
      assert.deepEqual(ports, [
        ['stripe', base + SANDBOXES.findIndex((s) => s.name === 'stripe')],
        ['avalara', base + SANDBOXES.findIndex((s) => s.name === 'avalara')],
      ]);
    } finally {
      await Promise.all(started.map((s) => s.close()));
    }
  });

  it('keeps each sandbox state in <dir>/<name>.sqlite across a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'interlock-sandboxes-'));
    const auth = { authorization: 'Bearer sk_test_registry' };
    try {
      const [first] = await startSandboxes({ only: ['stripe'], statePath: dir });
      const created = (await (
        await fetch(`${first?.url}/v1/customers`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=Kept' })
      ).json()) as { id: string };
      await first?.close();
      assert.ok(existsSync(path.join(dir, 'stripe.sqlite')));
      const [second] = await startSandboxes({ only: ['stripe'], statePath: dir });
      try {
        const kept = await fetch(`${second?.url}/v1/customers/${created.id}`, { headers: auth });
        assert.equal(kept.status, 200);
        assert.equal(((await kept.json()) as { name: string }).name, 'Kept');
      } finally {
        await second?.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown sandbox name as a validation error naming the known ones', async () => {
    await assert.rejects(startSandboxes({ only: ['stripe', 'zuora'] }), (err: unknown) => {
      assert.ok(err instanceof InterlockError);
      assert.equal(err.code, 'validation');
      assert.match(err.message, /unknown sandbox "zuora"; known sandboxes: stripe, avalara/);
      return true;
    });
  });
});

// A base port whose next few ports were free a moment ago (an ephemeral port, probed).
async function freePortPair(): Promise<number> {
  for (;;) {
    const base = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });
    if (base > 0 && base + SANDBOXES.length < 65_000 && (await portsFree(base, SANDBOXES.length))) return base;
  }
}

async function portsFree(base: number, count: number): Promise<boolean> {
  for (let port = base; port < base + count; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}
