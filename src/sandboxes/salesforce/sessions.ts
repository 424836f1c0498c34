/**
 * Access tokens issued by the sandbox's OAuth endpoint. Tokens look like Salesforce session ids
 * (`<orgId>!<random>`) and expire after the fault setting `tokenTtlSeconds`, or the session
 * timeout otherwise; an unknown or expired token gets `401 INVALID_SESSION_ID`.
 */
import { randomBytes } from 'node:crypto';
import { SalesforceError } from './errors.ts';
import { makeId } from './ids.ts';

/** The sandbox org's id. */
export const ORG_ID = makeId('00D', 1);

/** A live session. */
export interface Session {
  /** The access token. */
  readonly token: string;
  /** Epoch ms after which it is refused. */
  readonly expiresAt: number;
  /** Scope granted. */
  readonly scope: string;
}

/** Issues and checks access tokens. */
export class Sessions {
  readonly #sessions = new Map<string, Session>();

  /** Issues a token valid for `ttlSeconds`. */
  issue(ttlSeconds: number, scope: string): Session {
    const token = `${ORG_ID.slice(0, 15)}!${randomBytes(48).toString('base64url')}`;
    const session = { token, expiresAt: Date.now() + ttlSeconds * 1000, scope };
    this.#sessions.set(token, session);
    return session;
  }

  /** Checks an `Authorization: Bearer …` (or `OAuth …`) header; throws `INVALID_SESSION_ID`. */
  check(authorization: string | undefined): Session {
    const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(authorization ?? '');
    const session = match?.[1] ? this.#sessions.get(match[1]) : undefined;
    if (!session || session.expiresAt <= Date.now()) {
      if (session) this.#sessions.delete(session.token);
      throw new SalesforceError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    }
    return session;
  }

  /** Forgets every session (reset). */
  clear(): void {
    this.#sessions.clear();
  }
}
