/**
 * The undici dispatcher for outbound HTTP to configurable URLs. The {@link AddressPolicy} is
 * checked at connect time, on the address the socket will actually use: IP literals before the
 * connect, names inside the DNS lookup (so a name that resolves to 10.x, or re-resolves there
 * later, is refused). Redirects are followed by the same dispatcher, so every hop is checked.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector, interceptors, type Dispatcher } from 'undici';
import { parseAddress, type AddressPolicy } from './address-policy.ts';

/** Resolves every address of a name, as `dns.lookup(name, { all: true })` does. */
export type ResolveAll = (hostname: string, options: LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/** Options of {@link createGuardedDispatcher}. */
export interface GuardedDispatcherOptions {
  /** Name resolution; tests inject one. @default dns.lookup */
  resolve?: ResolveAll | undefined;
  /**
   * Redirects followed, each checked like the first hop; 0 follows none and answers the 3xx
   * itself (a vendor API client, which never expects one, skips the redirect layer's work on
   * every call). @default 5
   */
  maxRedirections?: number | undefined;
  /** Connect timeout, ms. @default 10000 */
  connectTimeoutMs?: number | undefined;
  /** Most connections per origin (exchanges beyond wait in undici's queue). @default unlimited */
  connections?: number | undefined;
}

/** A `lookup` for `net.connect` that refuses a name when any address it resolves to is refused. */
export function guardedLookup(policy: AddressPolicy, resolve: ResolveAll = dnsLookup as ResolveAll): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err !== null) return callback(err);
      try {
        // Every address must pass: the socket may try any of them (happy eyeballs).
        for (const a of addresses) policy.check(hostname, a.address);
      } catch (refused) {
        return callback(refused);
      }
      if (options.all === true) return callback(null, addresses);
      const first = addresses[0];
      if (first === undefined) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }));
      callback(null, first.address, first.family);
    });
  }) as LookupFunction;
}

/** An undici dispatcher that enforces `policy` on every connection and every redirect it follows. */
export function createGuardedDispatcher(policy: AddressPolicy, options: GuardedDispatcherOptions = {}): Dispatcher {
  const connect = buildConnector({ timeout: options.connectTimeoutMs ?? 10_000, lookup: guardedLookup(policy, options.resolve) } as buildConnector.BuildOptions);
  const agent = new Agent({
    ...(options.connections === undefined ? {} : { connections: options.connections }),
    connect: (opts, callback) => {
      const literal = parseAddress(opts.hostname);
      if (literal !== undefined) {
        try {
          policy.check(opts.hostname, literal.toString());
        } catch (refused) {
          return callback(refused as Error, null);
        }
      }
      connect(opts, callback);
    },
  });
  const maxRedirections = options.maxRedirections ?? 5;
  return maxRedirections === 0 ? agent : agent.compose(interceptors.redirect({ maxRedirections }));
}
