/**
 * Who performs a governance step. Roles are plain strings; a domain's owners hold
 * `owner:<domain>` (e.g. `owner:finance`), which is what approving a change to that domain's
 * contracts requires.
 */
import type { Domain } from '../canonical/contract.ts';

/** A person or pipeline acting on the registry. */
export interface Actor {
  /** Stable identity written to the audit log, e.g. an e-mail or `ci:github`. */
  readonly id: string;
  /** Roles held. */
  readonly roles: readonly string[];
}

/** The role that owns a domain's contracts. */
export function ownerRole(domain: Domain | string): string {
  return `owner:${domain}`;
}
