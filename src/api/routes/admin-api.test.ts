/**
 * The admin API's newer routes end to end on both stores: keys (shown once, listed without the
 * key, revoked keys refused at once), secrets (values in, never out; rotation bumps the
 * version), contracts, pending approvals, and the audit log (actions recorded, chain verified).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, it } from 'node:test';
import { defineFlow } from '../../flows/define-flow.ts';
import { ContractRegistry } from '../../governance/registry.ts';
import { canonicalJson } from '../../security/audit-log.ts';
import { parseMasterKey } from '../../security/master-key.ts';
import { describeEachStore } from '../../../test/support/stores.ts';
import { startApi, type ApiHarness } from '../test-support.ts';

const CANARY = 'canary-value-7f3a9c-never-shown';

describeEachStore('admin API: keys, secrets, contracts, approvals, audit', (get) => {
  let api: ApiHarness;
  before(async () => {
    const master = parseMasterKey(Buffer.alloc(32, 9).toString('base64'), 'test key');
    api = await startApi(get().store, { masterKey: () => master });
  });
  after(async () => {
    await api.close();
  });

  const admin = (method: 'GET' | 'POST', url: string, payload?: object) =>
    api.app.inject({ method, url, headers: api.auth('admin'), ...(payload === undefined ? {} : { payload }) });

  it('creates a key shown once, lists keys without it, and a revoked key is refused at once', async () => {
    const created = await admin('POST', '/admin/keys', { role: 'viewer', label: 'portal' });
    assert.equal(created.statusCode, 201);
    assert.equal(created.headers['cache-control'], 'no-store');
    const { key, record } = created.json();
    assert.match(key, /^ilk_live_/);
    const listed = await admin('GET', '/admin/keys');
    assert.ok(listed.json().items.some((k: { id: string }) => k.id === record.id));
    assert.ok(!listed.body.includes(key));
    const use = () => api.app.inject({ method: 'GET', url: '/admin/runs', headers: { authorization: `Bearer ${key}` } });
    assert.equal((await use()).statusCode, 200);
    assert.equal((await admin('POST', `/admin/keys/${record.id}/revoke`, {})).json().revokedAt !== null, true);
    assert.equal((await use()).statusCode, 401);
  });

  it('a key creation replayed by Idempotency-Key answers the record with key: null, and the key is stored nowhere in clear', async () => {
    const headers = { ...api.auth('admin'), 'idempotency-key': 'create-portal-key' };
    const creations = async () => (await admin('GET', '/admin/audit?limit=1000')).json().items.filter((e: { action: string }) => e.action === 'key.create').length;
    const first = await api.app.inject({ method: 'POST', url: '/admin/keys', headers, payload: { role: 'viewer', label: 'replayed' } });
    const audited = await creations();
    const again = await api.app.inject({ method: 'POST', url: '/admin/keys', headers, payload: { role: 'viewer', label: 'replayed' } });
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.json().key, null);
    assert.equal(again.json().record.id, first.json().record.id);
    assert.equal(await creations(), audited, 'the replay is not audited as a second creation');
    const rows = await get().store.db.selectFrom('api_idempotency').select('body').execute();
    assert.ok(rows.every((r) => !(r.body ?? '').includes(first.json().key)));
  });

  it('sets and rotates a secret without its value ever appearing in an answer or the audit log', async () => {
    const set = await admin('POST', '/admin/secrets/stripe-api', { value: CANARY });
    assert.equal(set.statusCode, 201);
    assert.equal(set.json().version, 1);
    assert.equal((await admin('POST', '/admin/secrets/stripe-api', { value: CANARY })).statusCode, 409);
    const rotated = await admin('POST', '/admin/secrets/stripe-api/rotate', { value: `${CANARY}-2` });
    assert.equal(rotated.json().version, 2);
    assert.equal((await admin('POST', '/admin/secrets/nothing-here/rotate', { value: 'x' })).statusCode, 404);
    const listed = await admin('GET', '/admin/secrets');
    assert.deepEqual(listed.json().items.map((s: { name: string; version: number }) => [s.name, s.version]), [['stripe-api', 2]]);
    const audit = await admin('GET', '/admin/audit?limit=1000');
    for (const body of [set.body, rotated.body, listed.body, audit.body]) assert.ok(!body.includes(CANARY));
    const actions = audit.json().items.map((e: { action: string }) => e.action);
    assert.ok(actions.includes('secret.set') && actions.includes('secret.rotated'));
  });

  it('an Idempotency-Key on a secret write replays, refuses another value, and stores no fast hash of the value', async () => {
    const headers = { ...api.auth('admin'), 'idempotency-key': 'set-hubspot' };
    const first = await api.app.inject({ method: 'POST', url: '/admin/secrets/hubspot-app', headers, payload: { value: CANARY } });
    assert.equal(first.statusCode, 201);
    const again = await api.app.inject({ method: 'POST', url: '/admin/secrets/hubspot-app', headers, payload: { value: CANARY } });
    assert.equal(again.headers['idempotent-replayed'], 'true');
    const other = await api.app.inject({ method: 'POST', url: '/admin/secrets/hubspot-app', headers, payload: { value: 'another' } });
    assert.equal(other.statusCode, 422);
    const plain = createHash('sha256').update(canonicalJson({ params: { name: 'hubspot-app' }, query: {}, body: { value: CANARY } })).digest('hex');
    const row = await get().store.db.selectFrom('api_idempotency').selectAll().where('key', '=', 'set-hubspot').executeTakeFirstOrThrow();
    assert.notEqual(row.fingerprint, plain);
    assert.ok(!JSON.stringify(row).includes(CANARY));
  });

  it('writes every admin action to the audit log, and the chain verifies', async () => {
    await admin('POST', '/admin/keys', { role: 'operator', label: 'audited' });
    const audit = (await admin('GET', '/admin/audit?limit=1000')).json();
    const actions = audit.items.map((e: { action: string }) => e.action);
    // The route's action and the key store's own record of it.
    assert.ok(actions.includes('key.create') && actions.includes('key.created'), actions.join(', '));
    const verified = (await admin('GET', `/admin/audit/verify?anchorId=${audit.head.id}&anchorHash=${audit.head.hash}`)).json();
    assert.equal(verified.ok, true);
    assert.ok(verified.entries >= audit.items.length);
  });

  it('lists contracts, shows one, and checks the shipped ones against the registry', async () => {
    const before = (await admin('GET', '/admin/contracts/check')).json();
    assert.ok(before.items.length > 0);
    assert.ok(before.items.every((i: { registered: boolean }) => !i.registered));
    assert.equal((await admin('GET', '/admin/contracts/customer')).statusCode, 404);
    await new ContractRegistry(get().store).bootstrap({ id: 'test', roles: [] });
    const listed = (await admin('GET', '/admin/contracts')).json();
    assert.ok(listed.items.some((s: { subject: string; latest: string }) => s.subject === 'customer' && s.latest !== null));
    const shown = (await admin('GET', '/admin/contracts/customer')).json();
    assert.equal(shown.versions.length, 1);
    assert.equal((await admin('GET', '/admin/contracts/check')).json().compatible, true);
  });

  it('lists the approvals people owe, with what they ask and where to decide', async () => {
    const flow = defineFlow({
      name: 'needs-approval',
      version: 1,
      async run(ctx) {
        const d = await ctx.step.approval('discount', { discountPct: 30 });
        return d.approved;
      },
    });
    api.engine.flows.registry.register(flow);
    const { runId } = await api.engine.flows.start('needs-approval', { key: 'opp-9' });
    await api.engine.flows.worker.runDue();
    const items = (await admin('GET', '/admin/approvals')).json().items;
    const item = items.find((i: { runId: number }) => i.runId === runId);
    assert.deepEqual(item.request, { discountPct: 30 });
    assert.equal(item.step, 'discount');
    assert.equal(item.approveUrl, `/admin/runs/${runId}/approve`);
    const approved = await api.app.inject({ method: 'POST', url: item.approveUrl, headers: api.auth('approver'), payload: {} });
    assert.equal(approved.statusCode, 200);
    assert.equal((await admin('GET', '/admin/approvals')).json().items.some((i: { runId: number }) => i.runId === runId), false);
  });
});
