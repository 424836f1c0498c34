/**
 * SAP Gateway's CSRF protection. A GET or HEAD carrying `X-CSRF-Token: Fetch` answers the
 * session's token in `X-CSRF-Token` and sets the session cookies (`SAP_SESSIONID_<SID>_<client>`,
 * `sap-usercontext`). A POST, PUT, PATCH, MERGE or DELETE (and `$batch`) must bring that token
 * and the session cookie, for the same user, before the token expires; otherwise `403` with
 * `X-CSRF-Token: Required` and the plain-text body `CSRF token validation failed`.
 */
import { randomBytes } from 'node:crypto';

interface Session {
  user: string;
  token: string;
  expiresAt: number;
}

/** The name of the session cookie. */
export function sessionCookieName(sapClient: string): string {
  return `SAP_SESSIONID_S4H_${sapClient}`;
}

/** Sessions and their tokens. */
export class CsrfSessions {
  readonly #sessions = new Map<string, Session>();
  readonly #cookie: string;
  readonly #sapClient: string;

  constructor(sapClient: string) {
    this.#sapClient = sapClient;
    this.#cookie = sessionCookieName(sapClient);
  }

  /** A token for the caller (its session's, or a new session): the headers to answer with. */
  fetch(user: string, cookieHeader: string | undefined, ttlSeconds: number): { token: string; setCookie: string[] } {
    const sid = this.#sid(cookieHeader);
    const now = Date.now();
    const existing = sid === undefined ? undefined : this.#sessions.get(sid);
    if (sid !== undefined && existing !== undefined && existing.user === user && existing.expiresAt > now) {
      return { token: existing.token, setCookie: [] };
    }
    const newSid = randomBytes(24).toString('base64url');
    const token = randomBytes(16).toString('base64');
    this.#sessions.set(newSid, { user, token, expiresAt: now + ttlSeconds * 1000 });
    return {
      token,
      setCookie: [`${this.#cookie}=${newSid}; path=/; HttpOnly; SameSite=None; Secure`, `sap-usercontext=sap-client=${this.#sapClient}; path=/`],
    };
  }

  /** Whether a modifying request carries a valid token for its session and user. */
  valid(user: string, cookieHeader: string | undefined, token: string | undefined): boolean {
    if (token === undefined || token === '' || token.toLowerCase() === 'fetch') return false;
    const sid = this.#sid(cookieHeader);
    const session = sid === undefined ? undefined : this.#sessions.get(sid);
    if (session === undefined || session.user !== user) return false;
    if (session.expiresAt <= Date.now()) {
      this.#sessions.delete(sid as string);
      return false;
    }
    return session.token === token;
  }

  /** Ends every session: the next modifying call of every client fails until it fetches again. */
  expireAll(): number {
    const n = this.#sessions.size;
    this.#sessions.clear();
    return n;
  }

  /** Open sessions (for the admin summary). */
  get size(): number {
    return this.#sessions.size;
  }

  #sid(cookieHeader: string | undefined): string | undefined {
    if (cookieHeader === undefined) return undefined;
    for (const part of cookieHeader.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === this.#cookie) return part.slice(eq + 1).trim();
    }
    return undefined;
  }
}
