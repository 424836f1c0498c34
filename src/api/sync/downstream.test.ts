/**
 * Downstream calls of the synchronous operations, on both stores: a fresh answer is kept as the
 * last-known copy (rewritten only when it changed or a minute passed); a timeout or outage falls
 * back to that copy, stale with its age, when the policy says so, and is a 503 naming the system
 * otherwise; a record that does not exist never falls back. Master data within its freshness
 * window answers from the copy without a call, and concurrent reads of a record share one call.
 * Plus the credit verdicts.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ManualClock } from '../../core/clock.ts';
import { authError, notFoundError, transientError } from '../../core/errors.ts';
import { describeEachStore } from '../../../test/support/stores.ts';
import { judgeCredit } from './credit-status.ts';
import { Budget, combined, fetchWithFallback, recentCopy, type DownstreamPolicy } from './downstream.ts';
import { LastKnown, REFRESH_MS } from './last-known.ts';

const COPY: DownstreamPolicy = { name: 'crm.account', timeoutMs: 50, fallback: 'last-known' };
const FAIL: DownstreamPolicy = { name: 'tax.estimate', timeoutMs: 50, fallback: 'fail' };
const MASTER: DownstreamPolicy = { name: 'crm.account', timeoutMs: 50, fallback: 'last-known', freshForMs: 5_000 };

describeEachStore('downstream fallbacks', (get) => {
  const clock = new ManualClock(Date.UTC(2026, 3, 1));
  const deps = () => ({ clock, lastKnown: new LastKnown(get().store, clock) });
  const budget = () => new Budget(clock, 1000);

  it('keeps a fresh answer as the copy, and answers from it, stale with its age, when the system times out', async () => {
    const d = deps();
    const fresh = await fetchWithFallback(d, COPY, budget(), 'a1', async () => ({ name: 'Acme' }));
    assert.deepEqual(fresh, { value: { name: 'Acme' }, freshness: { stale: false, ageSeconds: 0, ageMs: 0 } });
    clock.advance(90_000);
    const late = await fetchWithFallback(d, COPY, budget(), 'a1', () => new Promise(() => undefined));
    assert.deepEqual(late.value, { name: 'Acme' });
    assert.equal(late.freshness.stale, true);
    assert.equal(late.freshness.ageSeconds, 90);
    assert.match(late.freshness.reason ?? '', /crm\.account did not answer within 50 ms/);
  });

  it('falls back on an outage, but a record that does not exist is the answer', async () => {
    const d = deps();
    await fetchWithFallback(d, COPY, budget(), 'a2', async () => 'v1');
    const down = await fetchWithFallback(d, COPY, budget(), 'a2', async () => {
      throw transientError('503 from the CRM');
    });
    assert.equal(down.freshness.stale, true);
    await assert.rejects(
      fetchWithFallback(d, COPY, budget(), 'a2', async () => {
        throw notFoundError('gone');
      }),
      { code: 'not-found' },
    );
  });

  it('the downstream refusing our credentials is a 503 (or the copy), never a 401 to the caller', async () => {
    const d = deps();
    await assert.rejects(
      fetchWithFallback(d, FAIL, budget(), 'creds', async () => {
        throw authError('salesforce answered 401: INVALID_SESSION_ID');
      }),
      (err: Error & { status: number; type: string }) => err.status === 503 && err.type === 'downstream-unavailable',
    );
    await fetchWithFallback(d, COPY, budget(), 'creds', async () => 'kept');
    const fallback = await fetchWithFallback(d, COPY, budget(), 'creds', async () => {
      throw authError('expired');
    });
    assert.equal(fallback.freshness.stale, true);
  });

  it('without a copy, or with a fail policy, a timeout is a 503 downstream-unavailable naming the system', async () => {
    const d = deps();
    await assert.rejects(fetchWithFallback(d, COPY, budget(), 'never-seen', () => new Promise(() => undefined)), (err: Error & { type: string; details: { downstream: string }; status: number }) => {
      assert.equal(err.type, 'downstream-unavailable');
      assert.equal(err.details.downstream, 'crm.account');
      assert.equal(err.status, 503);
      return true;
    });
    await fetchWithFallback(d, FAIL, budget(), 'doc', async () => 1);
    await assert.rejects(fetchWithFallback(d, FAIL, budget(), 'doc', () => new Promise(() => undefined)), { type: 'downstream-unavailable' });
  });

  it('rewrites an unchanged copy at most once a minute, a changed one at once', async () => {
    const d = deps();
    const syncedAt = async () => (await d.lastKnown.get('crm.account', 'a3'))?.syncedAt;
    await d.lastKnown.save('crm.account', 'a3', { v: 1 });
    const first = await syncedAt();
    clock.advance(REFRESH_MS / 2);
    await d.lastKnown.save('crm.account', 'a3', { v: 1 });
    assert.equal(await syncedAt(), first);
    await d.lastKnown.save('crm.account', 'a3', { v: 2 });
    assert.equal(await syncedAt(), clock.now());
    assert.deepEqual((await d.lastKnown.get('crm.account', 'a3'))?.value, { v: 2 });
    clock.advance(REFRESH_MS);
    await d.lastKnown.save('crm.account', 'a3', { v: 2 });
    assert.equal(await syncedAt(), clock.now());
  });

  it('answers from a copy younger than the freshness window without calling, with its age; an older one is fetched again', async () => {
    const d = deps();
    let calls = 0;
    const fetch = async () => ({ name: 'Acme', version: ++calls });
    await fetchWithFallback(d, MASTER, budget(), 'w1', fetch);
    clock.advance(4_999);
    const cached = await fetchWithFallback(d, MASTER, budget(), 'w1', fetch);
    assert.equal(calls, 1);
    assert.deepEqual(cached, { value: { name: 'Acme', version: 1 }, freshness: { stale: false, ageSeconds: 4, ageMs: 4_999 } });
    clock.advance(1);
    const refreshed = await fetchWithFallback(d, MASTER, budget(), 'w1', fetch);
    assert.equal(calls, 2);
    assert.deepEqual(refreshed, { value: { name: 'Acme', version: 2 }, freshness: { stale: false, ageSeconds: 0, ageMs: 0 } });
  });

  it('asks the system of record within the window when the caller says revalidate, and never windows a policy without one', async () => {
    const d = deps();
    let calls = 0;
    const fetch = async () => ++calls;
    await fetchWithFallback(d, MASTER, budget(), 'w2', fetch);
    assert.equal((await fetchWithFallback(d, MASTER, budget(), 'w2', fetch, { revalidate: true })).value, 2);
    assert.equal((await fetchWithFallback(d, COPY, budget(), 'w2', fetch)).value, 3);
    assert.equal((await fetchWithFallback(d, MASTER, budget(), 'w2', fetch)).value, 3);
  });

  it('recentCopy answers synchronously what fetchWithFallback would from the window, and nothing it would fetch', async () => {
    const d = deps();
    assert.equal(recentCopy(d, MASTER, 'w3'), undefined, 'no copy yet');
    await fetchWithFallback(d, MASTER, budget(), 'w3', async () => ({ name: 'Acme' }));
    clock.advance(1_500);
    assert.deepEqual(recentCopy(d, MASTER, 'w3'), { value: { name: 'Acme' }, freshness: { stale: false, ageSeconds: 1, ageMs: 1_500 } });
    assert.equal(recentCopy(d, MASTER, 'w3', { revalidate: true }), undefined, 'revalidate asks the system');
    assert.equal(recentCopy(d, { ...MASTER, freshForMs: 0 }, 'w3'), undefined, 'no window');
    assert.equal(recentCopy(d, { ...MASTER, fallback: 'fail' }, 'w3'), undefined, 'a fail policy keeps no copy');
    clock.advance(3_500);
    assert.equal(recentCopy(d, MASTER, 'w3'), undefined, 'past the window');
  });

  it('shares one call among concurrent reads of the same record, and calls again once it has answered', async () => {
    const d = deps();
    const calls: string[] = [];
    const answers = new Map<string, (v: string) => void>();
    const fetch = (key: string) => () => {
      calls.push(key);
      return new Promise<string>((resolve) => answers.set(key, resolve));
    };
    const reads = [fetchWithFallback(d, COPY, budget(), 's1', fetch('s1')), fetchWithFallback(d, COPY, budget(), 's1', fetch('s1')), fetchWithFallback(d, COPY, budget(), 's2', fetch('s2'))];
    assert.deepEqual(calls, ['s1', 's2']);
    answers.get('s1')?.('one');
    answers.get('s2')?.('two');
    assert.deepEqual((await Promise.all(reads)).map((r) => r.value), ['one', 'one', 'two']);
    assert.equal((await d.lastKnown.get('crm.account', 's1'))?.value, 'one');
    const again = fetchWithFallback(d, COPY, budget(), 's1', fetch('s1'));
    assert.deepEqual(calls, ['s1', 's2', 's1']);
    answers.get('s1')?.('one again');
    assert.equal((await again).value, 'one again');
  });

  it('the budget cuts a call short when less time is left than its own timeout', async () => {
    const tight = new Budget(clock, 20);
    await assert.rejects(fetchWithFallback(deps(), FAIL, tight, 'x', () => new Promise(() => undefined)), /within 20 ms/);
  });
});

it('judges credit: no limit fits anything, a limit leaves limit − balance − unbilled orders, a hold refuses; each with a sentence of figures', () => {
  const verdict = (v: ReturnType<typeof judgeCredit>) => ({ status: v.status, available: v.available, fits: v.fits });
  const none = judgeCredit({ creditLimit: null, balance: 500, onHold: false }, 1e6);
  assert.deepEqual(verdict(none), { status: 'no-limit', available: null, fits: true });
  assert.equal(none.reason, 'No credit limit is set for this customer, so there is none to check the order against (balance 500.00).');
  const fits = judgeCredit({ creditLimit: 10_000, balance: 2_500, onHold: false }, 7_500);
  assert.deepEqual(verdict(fits), { status: 'within-limit', available: 7_500, fits: true });
  assert.equal(fits.reason, 'An order of 7,500.00 fits: 7,500.00 of the credit limit 10,000.00 is left (balance 2,500.00).');
  const tooBig = judgeCredit({ creditLimit: 10_000, balance: 2_500, onHold: false }, 7_500.01);
  assert.deepEqual(verdict(tooBig), { status: 'within-limit', available: 7_500, fits: false });
  assert.match(tooBig.reason, /^An order of 7,500.01 does not fit: 7,500.00 of the credit limit 10,000.00 is left .*over by 0.01\.$/);
  const over = judgeCredit({ creditLimit: 1_000, balance: 1_200, onHold: false }, 0);
  assert.deepEqual(verdict(over), { status: 'over-limit', available: -200, fits: false });
  assert.equal(over.reason, 'Over its credit limit 1,000.00 by 200.00 (balance 1,200.00): no order is approved.');
  // Unbilled orders count against the limit with the balance.
  const withOrders = judgeCredit({ creditLimit: 10_000, balance: 2_500, unbilledOrders: 4_000, onHold: false }, 4_000);
  assert.deepEqual(verdict(withOrders), { status: 'within-limit', available: 3_500, fits: false });
  assert.match(withOrders.reason, /\(balance 2,500.00 and unbilled orders 4,000.00\)/);
  const held = judgeCredit({ creditLimit: 10_000, balance: 0, onHold: true }, 1);
  assert.deepEqual(verdict(held), { status: 'on-hold', available: 10_000, fits: false });
  assert.match(held.reason, /credit hold/);
});

it('combined freshness: the oldest age of all parts, stale with every reason when any part is', () => {
  assert.deepEqual(combined([{ stale: false, ageSeconds: 1, ageMs: 1_200 }, { stale: false, ageSeconds: 3, ageMs: 3_100 }]), { stale: false, ageSeconds: 3, ageMs: 3_100 });
  assert.deepEqual(combined([{ stale: true, ageSeconds: 90, ageMs: 90_000, reason: 'a timed out' }, { stale: false, ageSeconds: 0, ageMs: 0 }, { stale: true, ageSeconds: 5, ageMs: 5_000, reason: 'b down' }]), {
    stale: true,
    ageSeconds: 90,
    ageMs: 90_000,
    reason: 'a timed out; b down',
  });
  assert.deepEqual(combined([]), { stale: false, ageSeconds: 0, ageMs: 0 });
});
