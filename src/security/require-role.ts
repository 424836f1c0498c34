/**
 * The admin API's guard: who is calling (an API key, the configured bootstrap token, or — on a
 * fresh install with neither — a loopback caller), and whether their role covers the route.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { authError } from '../core/errors.ts';
import type { ApiKeyRecord, ApiKeys } from './api-keys.ts';
import { setPrincipal, type Principal } from './principal.ts';
import { roleAllows, type Role } from './roles.ts';

/** What the guard checks credentials against. */
export interface GuardOptions {
  keys: ApiKeys;
  /** `admin.token`: a bootstrap bearer token with the admin role. */
  bootstrapToken?: string | undefined;
}

/** The role a request needs: fixed, or decided per request (e.g. by method). */
export type RoleRule = Role | ((req: FastifyRequest) => Role);

/** An `onRequest` hook that authenticates the caller and refuses roles below `rule` (403). */
export function requireRole(options: GuardOptions, rule: RoleRule): (req: FastifyRequest) => Promise<void> {
  const check = roleCheck(options, rule);
  return async (req) => {
    await check(req);
  };
}

/**
 * {@link requireRole} deciding synchronously when it can: a key its {@link ApiKeys} remembers is
 * checked and recorded at once (undefined returned; a refusal thrown), anything else answers
 * through the returned promise. For hot paths, where an async hook's promises cost more than the check.
 */
export function roleCheck(options: GuardOptions, rule: RoleRule): (req: FastifyRequest) => Promise<void> | undefined {
  const token = options.bootstrapToken === undefined ? undefined : digest(options.bootstrapToken);
  return (req) => {
    const presented = bearer(req);
    const known = presented === undefined ? undefined : options.keys.cached(presented);
    if (known !== undefined) {
      authorise(req, keyPrincipal(known), rule);
      return undefined;
    }
    return identify(req, options.keys, token, presented).then((principal) => authorise(req, principal, rule));
  };
}

function authorise(req: FastifyRequest, principal: Principal, rule: RoleRule): void {
  const needed = typeof rule === 'function' ? rule(req) : rule;
  if (!roleAllows(principal.role, needed)) {
    throw authError(`this action needs the ${needed} role; the key has ${principal.role}`, {
      status: 403,
      type: 'forbidden',
      details: { requiredRole: needed },
    });
  }
  setPrincipal(req, principal);
}

function bearer(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

function keyPrincipal(key: ApiKeyRecord): Principal {
  return { actor: `key:${key.id}`, name: key.label, role: key.role, limitKey: key.id };
}

async function identify(req: FastifyRequest, keys: ApiKeys, token: Buffer | undefined, presented: string | undefined): Promise<Principal> {
  if (presented === undefined) {
    // A fresh install (no token, no key ever issued) is usable from this machine and closed to the network.
    if (token === undefined && !(await keys.anyIssued())) {
      if (!isLoopback(req.socket.remoteAddress)) {
        throw authError('the admin API answers loopback only until an API key or admin.token is configured', { status: 403, type: 'forbidden' });
      }
      return { actor: 'loopback', role: 'admin', limitKey: 'loopback' };
    }
    throw authError('an API key is required (Authorization: Bearer <key>)', { type: 'unauthorized' });
  }
  const key = await keys.authenticate(presented);
  if (key !== undefined) return keyPrincipal(key);
  if (token !== undefined && timingSafeEqual(digest(presented), token)) return { actor: 'token:admin', role: 'admin', limitKey: 'token:admin' };
  throw authError('the API key is unknown, revoked or expired', { type: 'unauthorized' });
}

// Hashing first gives both sides the same length, which timingSafeEqual requires.
function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Whether a socket address is this machine. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
