import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressPolicy, AddressRefusedError, parseAddress } from './address-policy.ts';

describe('address policy', () => {
  const policy = new AddressPolicy();
  const refused: Array<[string, string]> = [
    ['2130706433', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0x7f.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['[::ffff:127.0.0.1]', 'ipv4Mapped'],
    ['::ffff:10.0.0.1', 'ipv4Mapped'],
    ['[::1]', 'loopback'],
    ['10.20.30.40', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['64:ff9b::a00:1', 'rfc6052'],
  ];
  for (const [address, range] of refused) {
    it(`refuses ${address} (${range})`, () => {
      assert.throws(
        () => policy.check('example.test', address),
        (err: unknown) => err instanceof AddressRefusedError && err.details?.range === range && err.type === 'address-refused',
      );
    });
  }

  it('allows global unicast addresses', () => {
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) policy.check('example.test', a);
  });

  it('allows exactly what the allow-list names: a CIDR, an address, a host name', () => {
    const p = new AddressPolicy(['10.1.0.0/16', '127.0.0.1', 'sandbox.local']);
    p.check('x', '10.1.200.3');
    assert.throws(() => p.check('x', '10.2.0.1'), AddressRefusedError);
    p.check('x', '2130706433');
    assert.throws(() => p.check('x', '127.0.0.2'), AddressRefusedError);
    p.check('sandbox.local', '192.168.5.5');
    p.check('SANDBOX.local.', '192.168.5.5');
    assert.throws(() => p.check('other.local', '192.168.5.5'), AddressRefusedError);
  });

  it('parses the IPv4 forms resolvers accept, and not host names', () => {
    assert.equal(parseAddress('2130706433')?.toString(), '127.0.0.1');
    assert.equal(parseAddress('0177.0.0.1')?.toString(), '127.0.0.1');
    assert.equal(parseAddress('0x7f.1')?.toString(), '127.0.0.1');
    assert.equal(parseAddress('[::ffff:127.0.0.1]')?.kind(), 'ipv6');
    assert.equal(parseAddress('example.com'), undefined);
  });

  it('refuses an allow-list entry that is not a CIDR', () => {
    assert.throws(() => new AddressPolicy(['10.0.0.0/99']), /not a valid CIDR/);
  });
});
