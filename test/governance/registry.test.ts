import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachStore } from '../support/stores.ts';
import { ContractRegistry } from '../../src/governance/registry.ts';
import type { Actor } from '../../src/governance/actor.ts';
import { CANONICAL_CONTRACTS } from '../../src/canonical/catalogue.ts';
import { OrderSchema } from '../../src/canonical/order.ts';
import { InterlockError } from '../../src/core/errors.ts';
import { ManualClock } from '../../src/core/clock.ts';

const alice: Actor = { id: 'alice@example.com', roles: [] }; // engineer who proposes
const bob: Actor = { id: 'bob@example.com', roles: [] }; // reviewer
const carol: Actor = { id: 'carol@example.com', roles: ['owner:commercial'] }; // owns orders
const fiona: Actor = { id: 'fiona@example.com', roles: ['owner:finance'] }; // owns invoices, not orders
const ci: Actor = { id: 'ci', roles: [] };

const orderWith = (mutate: (props: Record<string, unknown>, required: string[]) => void): Record<string, unknown> => {
  const copy = structuredClone(OrderSchema) as unknown as { properties: Record<string, unknown>; required: string[] };
  mutate(copy.properties, copy.required);
  return copy as unknown as Record<string, unknown>;
};
const withPoNumber = orderWith((p) => {
  p['purchaseOrderNumber'] = { type: 'string' };
});

const refusedWith = (code: string, message: RegExp) => (err: unknown) =>
  err instanceof InterlockError && err.code === code && message.test(err.message);

describeEachStore('contract registry', (get) => {
  const registry = () => new ContractRegistry(get().store, { clock: new ManualClock() });

  it('bootstraps every shipped contract once', async () => {
    const r = registry();
    const added = await r.bootstrap(ci);
    assert.equal(added.length, CANONICAL_CONTRACTS.length);
    assert.deepEqual(await r.bootstrap(ci), []);
    const order = await r.subject('order');
    assert.deepEqual([order.owner, order.mode], ['commercial', 'backward']);
    assert.deepEqual((await r.versions('order')).map((v) => v.version), ['1.0.0']);
    assert.deepEqual((await r.latest('order'))?.schema, JSON.parse(JSON.stringify(OrderSchema)));
  });

  it('publishes a compatible change after review and owner approval, auditing every step', async () => {
    const r = registry();
    const p = await r.propose(alice, { subject: 'order', version: '1.1.0', schema: withPoNumber, note: 'customer PO on orders' });
    assert.equal(p.breaking, false);
    assert.deepEqual(p.changes.map((c) => [c.kind, c.pointer]), [['property-added', '/properties/purchaseOrderNumber']]);
    await r.review(bob, p.id, 'looks right');
    await r.approve(carol, p.id);
    const v = await r.publish(carol, p.id);
    assert.equal(v.version, '1.1.0');
    assert.deepEqual((await r.versions('order')).map((x) => x.version), ['1.0.0', '1.1.0']);
    assert.equal((await r.proposal(p.id)).status, 'published');
    const steps = (await r.audit('order')).filter((a) => a.proposalId === p.id);
    assert.deepEqual(
      steps.map((a) => [a.action, a.actor, (a.before as { status?: string } | undefined)?.status ?? null, (a.after as { status: string }).status]),
      [
        ['proposal.created', alice.id, null, 'proposed'],
        ['proposal.reviewed', bob.id, 'proposed', 'in_review'],
        ['proposal.approved', carol.id, 'in_review', 'approved'],
        ['proposal.published', carol.id, 'approved', 'published'],
      ],
    );
    assert.equal(steps[0]?.comment, 'customer PO on orders');
    assert.ok(steps.every((a) => typeof a.at === 'number' && a.at > 0));
  });

  it('lets only the domain owner approve, never the proposer, and never before review', async () => {
    const r = registry();
    const p = await r.propose(alice, { subject: 'order', version: '1.2.0', schema: orderWith((props) => { props['purchaseOrderNumber'] = { type: 'string' }; props['channel'] = { type: 'string' }; }) });
    await assert.rejects(r.approve(carol, p.id), refusedWith('conflict', /is proposed; approved needs it in_review/));
    await assert.rejects(r.review(alice, p.id, 'lgtm'), refusedWith('auth', /proposed .* and cannot review it/));
    await r.review(bob, p.id, 'ok');
    await assert.rejects(r.approve(fiona, p.id), refusedWith('auth', /lacks the role owner:commercial/));
    await assert.rejects(r.approve(bob, p.id), refusedWith('auth', /lacks the role owner:commercial/));
    await assert.rejects(r.publish(carol, p.id), refusedWith('conflict', /is in_review; published needs it approved/));
    const selfApproving: Actor = { id: alice.id, roles: ['owner:commercial'] };
    await assert.rejects(r.approve(selfApproving, p.id), refusedWith('auth', /cannot approve it/));
    await r.reject(carol, p.id, 'use a custom field instead');
    await assert.rejects(r.publish(carol, p.id), refusedWith('conflict', /is rejected/));
    assert.deepEqual((await r.versions('order')).map((x) => x.version), ['1.0.0', '1.1.0']);
  });

  it('refuses to publish a breaking change under a mode that forbids it, even approved', async () => {
    const r = registry();
    const base = (await r.latest('order'))?.schema as Record<string, unknown>;
    const breaking = structuredClone(base) as { properties: Record<string, unknown> };
    delete breaking.properties['name'];
    await assert.rejects(r.propose(alice, { subject: 'order', version: '1.3.0', schema: breaking }), refusedWith('validation', /need a major version/));
    const p = await r.propose(alice, { subject: 'order', version: '2.0.0', schema: breaking });
    assert.equal(p.breaking, true);
    await r.review(bob, p.id, 'drops name');
    await r.approve(carol, p.id);
    await assert.rejects(r.publish(carol, p.id), refusedWith('conflict', /breaks mode backward .*\/properties\/name property-removed/));
    assert.equal((await r.latest('order'))?.version, '1.1.0');
    // The owner may decide the subject takes breaking changes; that decision is audited too.
    await assert.rejects(r.setMode(alice, 'order', 'none'), refusedWith('auth', /lacks the role/));
    await r.setMode(carol, 'order', 'none', 'v2 migration window');
    assert.equal((await r.publish(carol, p.id)).version, '2.0.0');
    const modeChange = (await r.audit('order')).find((a) => a.action === 'subject.mode-changed');
    assert.deepEqual([modeChange?.actor, modeChange?.before, modeChange?.after], [carol.id, { mode: 'backward' }, { mode: 'none' }]);
  });

  it('checks candidates against the latest version and refuses bad proposals', async () => {
    const r = registry();
    const check = await r.check('invoice', orderWith(() => undefined));
    assert.equal(check.compatible, false);
    assert.equal(check.baseVersion, '1.0.0');
    await assert.rejects(r.propose(alice, { subject: 'nope', version: '1.0.0', schema: {} }), refusedWith('not-found', /no contract subject "nope"/));
    await assert.rejects(r.propose(alice, { subject: 'invoice', version: 'one', schema: {} }), refusedWith('validation', /not a semantic version/));
    await assert.rejects(r.propose(alice, { subject: 'invoice', version: '0.9.0', schema: {} }), refusedWith('validation', /must be greater than the latest, 1\.0\.0/));
    await assert.rejects(r.propose(alice, { subject: 'invoice', version: '2.0.0', schema: { type: 'nonsense' } }), refusedWith('validation', /not a valid JSON Schema/));
    await assert.rejects(r.propose(alice, { subject: 'invoice', version: '2.0.0', schema: [] }), refusedWith('validation', /must be a JSON object/));
  });

  it('keeps the audit log append-only in the database itself', async () => {
    const { store } = get();
    const before = (await registry().audit()).length;
    assert.ok(before > 0);
    await assert.rejects(store.db.updateTable('governance_audit').set({ actor: 'mallory' }).execute(), /append-only/);
    await assert.rejects(store.db.deleteFrom('governance_audit').execute(), /append-only/);
    assert.equal((await registry().audit()).length, before);
    assert.ok((await registry().audit()).every((a) => a.actor !== 'mallory'));
  });

  it('registers a new subject for its owner only, and takes its first version through the same workflow', async () => {
    const r = registry();
    const subject = { subject: 'credit-memo', owner: 'finance' as const, kind: 'object' as const, mode: 'full' as const };
    await assert.rejects(r.registerSubject(carol, subject), refusedWith('auth', /lacks the role owner:finance/));
    await r.registerSubject(fiona, subject);
    await assert.rejects(r.registerSubject(fiona, subject), refusedWith('conflict', /already exists/));
    const schema = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false };
    const p = await r.propose(alice, { subject: 'credit-memo', version: '1.0.0', schema });
    assert.deepEqual([p.baseVersion, p.changes, p.breaking], [null, [], false]);
    await r.review(bob, p.id, 'first cut');
    await r.approve(fiona, p.id);
    await r.publish(fiona, p.id);
    assert.deepEqual((await r.versions('credit-memo')).map((v) => v.version), ['1.0.0']);
    assert.equal((await r.audit('credit-memo'))[0]?.action, 'subject.registered');
  });
});
