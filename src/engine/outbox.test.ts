import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idempotencyKey } from './outbox.ts';

describe('idempotencyKey', () => {
  it('derives the same key from the same parts, release after release', () => {
    // Pinned: a message enqueued again after an upgrade must carry the key its first copy had,
    // or the destination would apply it twice.
    assert.equal(idempotencyKey('bench', 'evt-1', 0, 'sink'), 'ilk_h8XjfsQc3aSukKefypfXszP9IC_AmmZx');
    assert.equal(idempotencyKey('run', 'r1', 'step'), 'ilk_ccXbBZ2yo_AqyNSzqwn-q--IOeOMoBdy');
    assert.equal(idempotencyKey('ünï', '😀', 3), 'ilk_EJnQSplrAnE3i41fjiZU2Ti6oVaI74qA');
  });

  it('gives different causes different keys', () => {
    assert.notEqual(idempotencyKey('a', 'b'), idempotencyKey('a', 'c'));
    assert.notEqual(idempotencyKey('a\u0000b'), idempotencyKey('a', 'b\u0000'));
  });
});
