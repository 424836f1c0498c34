/**
 * API keys with verified keys remembered for a few seconds: without it every API request is a
 * database read (and, once a minute, a write) before any work, which at the synchronous API's
 * rates costs more than the work. A key revoked through this process is forgotten at once;
 * revoked elsewhere (another process, the CLI) it is refused within {@link KEY_CACHE_TTL_MS}.
 */
import { hash } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/store.ts';
import { ApiKeys, type ApiKeyRecord } from '../security/api-keys.ts';
import type { AuditLog } from '../security/audit-log.ts';

/** How long a verified key is trusted without asking the store again. */
export const KEY_CACHE_TTL_MS = 5_000;

const MAX_ENTRIES = 10_000;

/** {@link ApiKeys} that remembers successful authentications for {@link KEY_CACHE_TTL_MS}. */
export class CachingApiKeys extends ApiKeys {
  readonly #clock: Clock;
  // SHA-256 of the presented key → its record, so the map never holds a key in clear. A hit is a
  // lookup by a digest of a 256-bit random secret: finding another string with a cached digest is
  // a preimage attack, so a hit needs no constant-time compare.
  readonly #verified = new Map<string, { record: ApiKeyRecord; until: number }>();
  #anyIssued = false;
  readonly #flights = new Map<string, Promise<ApiKeyRecord | undefined>>();
  // Bumped by every revocation: a verification that straddles one does not remember its key.
  #generation = 0;

  constructor(store: Store, audit: AuditLog, clock: Clock) {
    super(store, audit, clock);
    this.#clock = clock;
  }

  // Synchronous, so the guard decides a remembered key without a promise.
  override cached(presented: string): ApiKeyRecord | undefined {
    const now = this.#clock.now();
    // One-shot `crypto.hash`: the same SHA-256 without a Hash object per request (a third of the
    // cost); base64url, whose encoder is about a third cheaper here than base64's.
    const hit = this.#verified.get(hash('sha256', presented, 'base64url'));
    if (hit !== undefined && hit.until > now && (hit.record.expiresAt === null || hit.record.expiresAt > now)) return hit.record;
    return undefined;
  }

  override authenticate(presented: string): Promise<ApiKeyRecord | undefined> {
    const hit = this.cached(presented);
    if (hit !== undefined) return Promise.resolve(hit);
    // When a remembered key expires, every request in flight with it misses at once: they share
    // one verification instead of each reading (and timing) the store.
    const digest = hash('sha256', presented, 'base64url');
    let flight = this.#flights.get(digest);
    if (flight === undefined) {
      flight = this.#verify(presented, digest).finally(() => this.#flights.delete(digest));
      this.#flights.set(digest, flight);
    }
    return flight;
  }

  async #verify(presented: string, digest: string): Promise<ApiKeyRecord | undefined> {
    const now = this.#clock.now();
    const generation = this.#generation;
    const record = await super.authenticate(presented);
    if (record === undefined) {
      this.#verified.delete(digest);
      return undefined;
    }
    // A revocation while this verification read the store must not be undone by remembering it.
    if (generation !== this.#generation) return record;
    if (this.#verified.size >= MAX_ENTRIES) this.#verified.clear();
    this.#verified.set(digest, { record, until: now + KEY_CACHE_TTL_MS });
    return record;
  }

  override async revoke(id: string, actor: string): Promise<ApiKeyRecord> {
    const record = await super.revoke(id, actor);
    this.#generation++;
    for (const [digest, entry] of this.#verified) if (entry.record.id === id) this.#verified.delete(digest);
    return record;
  }

  // Once a key exists, keys keep existing (revoked ones stay listed): no need to ask again.
  override async anyIssued(): Promise<boolean> {
    if (this.#anyIssued) return true;
    this.#anyIssued = await super.anyIssued();
    return this.#anyIssued;
  }
}
