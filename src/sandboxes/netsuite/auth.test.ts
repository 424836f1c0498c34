import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { NsTokens } from './auth.ts';

describe('NetSuite access tokens', () => {
  it('accepts an issued token on every request until it expires, then refuses the same header', async () => {
    const tokens = new NsTokens();
    const header = `Bearer ${tokens.issue(0.1)}`;
    tokens.check(header);
    tokens.check(header); // the remembered header
    await sleep(150);
    assert.throws(() => tokens.check(header), /INVALID_LOGIN|login/i);
    assert.throws(() => tokens.check(header), /INVALID_LOGIN|login/i);
  });

  it('refuses unknown tokens and malformed headers', () => {
    const tokens = new NsTokens();
    tokens.issue(60);
    assert.throws(() => tokens.check('Bearer ns.unknown'));
    assert.throws(() => tokens.check(undefined));
    assert.throws(() => tokens.check('Basic abc'));
  });
});
