/**
 * Who an action is recorded against: the authenticated key (its label and id), whatever name the
 * client sends in `X-Interlock-Actor` — a dead letter's `resolvedBy` and the audit log agree.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { park } from '../../engine/dead-letters.ts';
import { describeEachStore } from '../../../test/support/stores.ts';
import { startApi, type ApiHarness } from '../test-support.ts';

describeEachStore('admin actions are attributed to the key', (get) => {
  let api: ApiHarness;
  before(async () => {
    api = await startApi(get().store);
  });
  after(async () => {
    await api.close();
  });

  const parkOne = async (messageId: number): Promise<number> => {
    await get().store.transaction((trx) => park(trx, { kind: 'delivery', messageId, destination: 'ledger', errorClass: 'permanent', reason: 'HTTP 422', attempts: 1 }, Date.now()));
    const row = await get().store.db.selectFrom('dead_letters').select('id').where('message_id', '=', messageId).executeTakeFirstOrThrow();
    return Number(row.id);
  };
  const keyId = async (): Promise<string> => {
    const res = await api.app.inject({ method: 'GET', url: '/admin/session', headers: api.auth('operator') });
    const session = res.json() as { actor: string; name?: string };
    assert.equal(session.name, 'test operator', 'the session names the key by its label');
    return session.actor;
  };

  it('records the key, not X-Interlock-Actor, on a replayed and a discarded dead letter', async () => {
    const actor = await keyId();
    const forged = { ...api.auth('operator'), 'x-interlock-actor': 'Mallory Admin' };
    const replayed = await parkOne(9001);
    assert.equal((await api.app.inject({ method: 'POST', url: `/admin/dead-letters/${replayed}/replay`, headers: forged })).statusCode, 200);
    const discarded = await parkOne(9002);
    const bulk = await api.app.inject({ method: 'POST', url: '/admin/dead-letters/discard', headers: forged, payload: { ids: [discarded] } });
    assert.deepEqual(bulk.json(), { discarded: 1 });
    for (const id of [replayed, discarded]) {
      const letter = (await api.app.inject({ method: 'GET', url: `/admin/dead-letters/${id}`, headers: api.auth('viewer') })).json() as { resolvedBy: string };
      assert.equal(letter.resolvedBy, `test operator (${actor})`);
    }
    const audit = (await api.app.inject({ method: 'GET', url: '/admin/audit?limit=50', headers: api.auth('admin') })).json() as { items: Array<{ actor: string; action: string }> };
    const actions = audit.items.filter((a) => a.action.startsWith('dead-letter.'));
    assert.ok(actions.length >= 2);
    assert.ok(actions.every((a) => a.actor === actor), 'the audit log names the key');
    assert.doesNotMatch(JSON.stringify(audit.items), /Mallory/);
  });
});
