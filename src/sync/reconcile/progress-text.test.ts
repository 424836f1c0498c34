import assert from 'node:assert/strict';
import { it } from 'node:test';
import { progressText } from './progress-text.ts';

it('shows a running count while reading and a bar while comparing', () => {
  assert.equal(progressText({ phase: 'read', system: 'stripe', done: 12000 }), 'reading stripe: 12,000 records');
  assert.equal(progressText({ phase: 'compare', done: 500, total: 2000 }, 10), 'comparing [###.......] 25% 500/2,000');
  assert.equal(progressText({ phase: 'compare', done: 7 }), 'comparing: 7 records');
});
