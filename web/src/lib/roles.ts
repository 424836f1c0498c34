/**
 * The roles of API keys as the console knows them (mirrors src/security/roles.ts: the console is
 * a separate bundle and must not import server code). Each role has the rights of those before it.
 */

/** A role an API key carries. */
export type Role = 'viewer' | 'operator' | 'approver' | 'admin';

const ORDER: readonly Role[] = ['viewer', 'operator', 'approver', 'admin'];

/** Whether a key with `held` may do what needs `needed`. */
export function roleAllows(held: Role, needed: Role): boolean {
  return ORDER.indexOf(held) >= ORDER.indexOf(needed);
}
