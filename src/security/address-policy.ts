/**
 * Which network addresses outbound HTTP to a configurable URL may reach. Only global unicast is
 * allowed by default; loopback, link-local (cloud metadata lives there), RFC 1918 private, CGNAT,
 * unique-local IPv6, IPv4-mapped and other transition forms, multicast, unspecified, reserved and
 * documentation ranges are refused unless an exact host name or a CIDR is allowed explicitly.
 * Range tables and the legacy IPv4 forms resolvers accept (`2130706433`, `0177.0.0.1`, `0x7f.1`,
 * `127.1`) come from ipaddr.js.
 */
import ipaddr from 'ipaddr.js';
import { InterlockError, validationError } from '../core/errors.ts';

/** A refused destination: permanent (retrying will not change the address), type `address-refused`. */
export class AddressRefusedError extends InterlockError {
  constructor(host: string, address: string, range: string) {
    super('permanent', `refusing to connect to ${host} (${address}): ${range} addresses are not allowed for outbound HTTP`, {
      type: 'address-refused',
      details: { host, address, range },
    });
    this.name = 'AddressRefusedError';
  }
}

/** Parses an IP literal in any form a resolver accepts (brackets allowed); undefined for a name. */
export function parseAddress(host: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // A zone id (`fe80::1%eth0`) is dropped before parsing: the address alone decides.
  const noZone = bare.includes(':') ? bare.replace(/%.*$/, '') : bare;
  return ipaddr.isValid(noZone) ? ipaddr.parse(noZone) : undefined;
}

/** The ipaddr.js range name of an address: `unicast` for global unicast. */
export function rangeOf(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  return address.range();
}

/** The allow-list and the check. */
export class AddressPolicy {
  readonly #hosts: ReadonlySet<string>;
  readonly #cidrs: ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]>;

  /** `allow` holds exact host names (`sandbox.local`), addresses or CIDRs (`127.0.0.1/32`, `10.1.0.0/16`). */
  constructor(allow: readonly string[] = []) {
    const hosts = new Set<string>();
    const cidrs: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
    for (const entry of allow) {
      if (entry.includes('/')) {
        try {
          cidrs.push(ipaddr.parseCIDR(entry));
        } catch {
          throw validationError(`"${entry}" in the outbound allow-list is not a valid CIDR`);
        }
      } else {
        const addr = parseAddress(entry);
        if (addr !== undefined) cidrs.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
        else hosts.add(entry.toLowerCase());
      }
    }
    this.#hosts = hosts;
    this.#cidrs = cidrs;
  }

  /** Whether `host` is allowed by name, whatever it resolves to. */
  hostAllowed(host: string): boolean {
    return this.#hosts.has(host.toLowerCase().replace(/\.$/, ''));
  }

  /** Throws {@link AddressRefusedError} unless connecting to `address` (resolved from `host`) is allowed. */
  check(host: string, address: string): void {
    if (this.hostAllowed(host)) return;
    const parsed = parseAddress(address);
    if (parsed === undefined) throw new AddressRefusedError(host, address, 'unparseable');
    const range = rangeOf(parsed);
    if (range === 'unicast') return;
    for (const [net, bits] of this.#cidrs) {
      if (net.kind() === parsed.kind() && parsed.match(net, bits)) return;
    }
    throw new AddressRefusedError(host, parsed.toString(), range);
  }
}
