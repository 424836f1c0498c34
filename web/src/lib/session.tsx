/**
 * Who is signed in: the key's actor and role (from `GET /admin/session`), shared by every screen
 * so each button can follow the role. The API refuses what the role lacks whatever the console shows.
 */
import { createContext, useContext } from 'react';
import type { Role } from './roles.ts';
import { roleAllows } from './roles.ts';

/** The signed-in session. */
export interface Session {
  actor: string;
  /** The key's label, when signed in with an issued key. */
  name?: string;
  role: Role;
  signOut: () => void;
}

/** Provided by the app once signed in. */
export const SessionContext = createContext<Session | null>(null);

/** The session (screens render only when signed in). */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (s === null) throw new Error('useSession outside a signed-in console');
  return s;
}

/** Whether the signed-in key may do what needs `needed`. */
export function useCan(needed: Role): boolean {
  return roleAllows(useSession().role, needed);
}
