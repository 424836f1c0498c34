/**
 * The roles of API keys, ordered: each role can do everything the roles below it can.
 * viewer reads; operator also retries, replays and discards; approver also approves; admin also
 * manages keys, secrets and configuration.
 */

/** A role an API key carries. */
export type Role = 'viewer' | 'operator' | 'approver' | 'admin';

/** Every role, weakest first. */
export const ROLES: readonly Role[] = ['viewer', 'operator', 'approver', 'admin'];

/** Whether `held` includes the rights of `needed`. */
export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** Narrows unknown text (CLI flag, database column) to a {@link Role}. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
