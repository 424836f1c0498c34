/**
 * The admin API's guard end to end: the RBAC matrix (every admin route × every kind of caller,
 * routes listed below — add new admin routes to ROUTES),
 * the fresh-install loopback fallback, the per-key rate limit, and the audit of every action.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { systemClock } from '../core/clock.ts';
import { auditAction } from './admin-auth.ts';
import { ApiKeys } from '../security/api-keys.ts';
import { AuditLog } from '../security/audit-log.ts';
import { ROLES, type Role } from '../security/roles.ts';
import { startHarness, type Harness } from '../../test/support/engine-harness.ts';
import { describeEachStore } from '../../test/support/stores.ts';

const VALUES = {
  sources: { orders: { eventId: { path: 'id' }, routes: [{ destination: 'sink' }] } },
  destinations: { sink: { url: 'http://127.0.0.1:9/ok' } },
};
const TOKEN = 'a-long-enough-bootstrap-token';

/** Every admin route, with a request that is valid apart from authorisation, and the role it needs. */
const ROUTES: Array<{ method: 'GET' | 'POST'; path: string; body?: unknown; needs: Role }> = [
  { method: 'GET', path: '/admin/dead-letters', needs: 'viewer' },
  { method: 'GET', path: '/admin/dead-letters/999999', needs: 'viewer' },
  { method: 'POST', path: '/admin/dead-letters/999999/replay', body: {}, needs: 'operator' },
  { method: 'POST', path: '/admin/dead-letters/999999/discard', body: {}, needs: 'operator' },
  { method: 'POST', path: '/admin/dead-letters/replay', body: { destination: 'sink' }, needs: 'operator' },
  { method: 'POST', path: '/admin/dead-letters/discard', body: { destination: 'sink' }, needs: 'operator' },
  { method: 'GET', path: '/admin/runs', needs: 'viewer' },
  { method: 'GET', path: '/admin/runs/999999', needs: 'viewer' },
  { method: 'POST', path: '/admin/runs', body: { flow: 'no-such-flow', key: 'k' }, needs: 'operator' },
  { method: 'POST', path: '/admin/runs/999999/retry', body: {}, needs: 'operator' },
  { method: 'POST', path: '/admin/runs/999999/cancel', body: {}, needs: 'operator' },
  { method: 'POST', path: '/admin/runs/999999/approve', body: {}, needs: 'approver' },
  { method: 'POST', path: '/admin/runs/999999/reject', body: {}, needs: 'approver' },
  { method: 'POST', path: '/admin/runs/999999/events', body: { type: 'invoice.paid' }, needs: 'operator' },
  { method: 'POST', path: '/admin/events', body: { type: 'invoice.paid' }, needs: 'operator' },
];

async function call(base: string, r: (typeof ROUTES)[number], auth?: string): Promise<Response> {
  return fetch(base + r.path, {
    method: r.method,
    headers: { ...(auth === undefined ? {} : { authorization: `Bearer ${auth}` }), ...(r.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(r.body === undefined ? {} : { body: JSON.stringify(r.body) }),
  });
}

describeEachStore('admin API guard', (get) => {
  let open: Harness | undefined;
  let guarded: Harness | undefined;
  let limited: Harness | undefined;
  const keys: Partial<Record<Role | 'revoked' | 'expired', string>> = {};
  const ids: Partial<Record<Role, string>> = {};

  before(async () => {
    open = await startHarness(get().store, VALUES, { worker: false });
  });
  after(async () => {
    await open?.close();
    await guarded?.close();
    await limited?.close();
  });

  it('on a fresh install (no token, no key) admits loopback callers as admin', async () => {
    for (const r of ROUTES) {
      const res = await call(open!.url, r);
      assert.ok(![401, 403].includes(res.status), `${r.method} ${r.path} answered ${res.status}`);
      await res.body?.cancel();
    }
  });

  it('once a key exists, refuses callers without one', async () => {
    const apiKeys = new ApiKeys(get().store, new AuditLog(get().store, systemClock), systemClock);
    for (const role of ROLES) {
      const { key, record } = await apiKeys.create({ role, label: `matrix ${role}`, actor: 'test' });
      keys[role] = key;
      ids[role] = record.id;
    }
    const revoked = await apiKeys.create({ role: 'admin', label: 'revoked', actor: 'test' });
    await apiKeys.revoke(revoked.record.id, 'test');
    keys.revoked = revoked.key;
    // Expires shortly after it is created (far enough ahead that a slow machine still creates it).
    keys.expired = (await apiKeys.create({ role: 'admin', label: 'expired', actor: 'test', expiresAt: Date.now() + 500 })).key;
    await new Promise((r) => setTimeout(r, 600));
    const res = await call(open!.url, ROUTES[0]!);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('content-type')?.split(';')[0], 'application/problem+json');
    guarded = await startHarness(get().store, { ...VALUES, admin: { token: TOKEN } }, { worker: false });
  });

  const callers: Array<[name: string, auth: () => string | undefined, role: Role | undefined]> = [
    ['no credentials', () => undefined, undefined],
    ['an unknown key', () => 'ilk_live_000000000000_' + 'A'.repeat(43), undefined],
    ['a revoked admin key', () => keys.revoked, undefined],
    ['an expired admin key', () => keys.expired, undefined],
    ...ROLES.map((role): [string, () => string | undefined, Role] => [`a ${role} key`, () => keys[role], role]),
    ['the bootstrap admin.token', () => TOKEN, 'admin'],
  ];
  for (const r of ROUTES) {
    for (const [name, auth, role] of callers) {
      const allowed = role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(r.needs);
      const expected = role === undefined ? '401' : allowed ? 'allowed' : '403';
      it(`${r.method} ${r.path} with ${name}: ${expected}`, async () => {
        const res = await call(guarded!.url, r, auth());
        const text = await res.text();
        if (expected === 'allowed') assert.ok(![401, 403].includes(res.status), `answered ${res.status} ${text}`);
        else {
          assert.equal(String(res.status), expected, text);
          assert.equal(res.headers.get('content-type')?.split(';')[0], 'application/problem+json');
          if (expected === '403') assert.equal((JSON.parse(text) as { requiredRole: string }).requiredRole, r.needs);
        }
      });
    }
  }

  it('writes every successful action to the audit log with the acting key, and the chain verifies', async () => {
    const res = await call(guarded!.url, ROUTES[4]!, keys.operator);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { replayed: 0 });
    const log = new AuditLog(get().store, systemClock);
    const entries = await log.list({ limit: 10_000 });
    const last = entries.at(-1)!;
    assert.deepEqual(
      { actor: last.actor, action: last.action, target: last.target, before: last.before, after: last.after },
      { actor: `key:${ids.operator}`, action: 'dead-letter.replay', target: '/admin/dead-letters/replay', before: { destination: 'sink' }, after: { replayed: 0 } },
    );
    assert.ok(entries.some((e) => e.action === 'dead-letter.discard' && e.actor === 'token:admin'));
    assert.ok(entries.some((e) => e.action === 'event.create' && e.actor === `key:${ids.operator}`));
    assert.ok(!entries.some((e) => e.actor === `key:${ids.viewer}` && e.action.startsWith('dead-letter')), 'refused calls are not actions');
    assert.equal((await log.verify()).ok, true);
  });

  it('rate limits each key: 429 problem+json with Retry-After and RateLimit headers', async () => {
    limited = await startHarness(get().store, { ...VALUES, admin: { rateLimit: { perSecond: 0.5, burst: 2 } } }, { worker: false });
    const list = ROUTES[0]!;
    const first = await call(limited.url, list, keys.viewer);
    await first.body?.cancel();
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('ratelimit-policy'), '"burst";q=2;w=4');
    assert.match(first.headers.get('ratelimit') ?? '', /^"burst";r=1;t=\d+$/);
    await (await call(limited.url, list, keys.viewer)).body?.cancel();
    const refused = await call(limited.url, list, keys.viewer);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('content-type')?.split(';')[0], 'application/problem+json');
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assert.match(refused.headers.get('ratelimit') ?? '', /^"burst";r=0;t=\d+$/);
    assert.match(((await refused.json()) as { type: string }).type, /rate-limited/);
    const other = await call(limited.url, list, keys.admin);
    await other.body?.cancel();
    assert.equal(other.status, 200, 'another key has its own bucket');
  });
});

it('names audit actions after the route', () => {
  assert.equal(auditAction('POST', '/admin/dead-letters/:id/replay'), 'dead-letter.replay');
  assert.equal(auditAction('POST', '/admin/dead-letters/discard'), 'dead-letter.discard');
  assert.equal(auditAction('POST', '/admin/runs/:id/approve'), 'run.approve');
  assert.equal(auditAction('POST', '/admin/runs'), 'run.create');
});
