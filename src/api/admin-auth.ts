/**
 * Guard of the admin API until API keys with roles arrive: a bearer token from the config
 * (compared in constant time), or, when none is configured, requests from loopback only — so a
 * fresh install is usable locally and closed to the network.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { authError } from '../core/errors.ts';

/** Returns an `onRequest` hook that refuses unauthorised admin requests. */
export function adminGuard(token: string | undefined): (req: FastifyRequest) => Promise<void> {
  const expected = token === undefined ? undefined : digest(token);
  return async (req) => {
    if (expected === undefined) {
      if (!isLoopback(req.socket.remoteAddress)) {
        throw authError('the admin API answers loopback only until admin.token is configured', { status: 403, type: 'forbidden' });
      }
      return;
    }
    const header = req.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!timingSafeEqual(digest(presented), expected)) throw authError('a valid admin bearer token is required', { type: 'unauthorized' });
  };
}

// Hashing first gives both sides the same length, which timingSafeEqual requires.
function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || (address?.startsWith('127.') ?? false);
}
