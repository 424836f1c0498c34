/** The console's second line of secret masking: by key name and by credential-shaped values, at any depth. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MASK, maskSecrets, parseMaybe } from '../../web/src/lib/mask.ts';

it('masks secret-named fields and credential-shaped values at any depth, and keeps the rest', () => {
  const payload = {
    order: 'SO-1',
    headers: { Authorization: 'Bearer abc.def', 'x-interlock-event-id': 'evt_1' },
    connector: { client_secret: 's3cr3t', password: 'hunter2', apiKey: 'k', token: null },
    lines: [{ sku: 'PLAT-SUB', note: 'sk_test_51HqLyjWDarjtT1zdp7dc' }],
    webhook: 'whsec_abcdefghijkl',
  };
  assert.deepEqual(maskSecrets(payload), {
    order: 'SO-1',
    headers: { Authorization: MASK, 'x-interlock-event-id': 'evt_1' },
    connector: { client_secret: MASK, password: MASK, apiKey: MASK, token: null },
    lines: [{ sku: 'PLAT-SUB', note: MASK }],
    webhook: MASK,
  });
});

it('parses stored JSON text and leaves other text as it is', () => {
  assert.deepEqual(parseMaybe('{"a":1}'), { a: 1 });
  assert.equal(parseMaybe('HTTP 422: nope'), 'HTTP 422: nope');
});
