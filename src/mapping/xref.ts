/**
 * Cross-references: which external id in which system is which canonical object (a Salesforce
 * Account id ↔ canonical customer id ↔ NetSuite internal id). Mappings name a lookup as
 * `from: salesforce:Account` → `to: canonical:customer` (or the reverse, or vendor to vendor through
 * the canonical id). Lookups are resolved in batches per run and cached, never one query per field.
 */
import { validationError } from '../core/errors.ts';

/** The pseudo-system naming canonical objects in a lookup (`canonical:customer`). */
export const CANONICAL_SYSTEM = 'canonical';

/** One row of the cross-reference table. */
export interface XrefLink {
  /** Canonical object type, e.g. `customer`. */
  canonicalType: string;
  /** Canonical id. */
  canonicalId: string;
  /** Vendor system, e.g. `salesforce`. */
  system: string;
  /** Vendor object type, e.g. `Account`. */
  objectType: string;
  /** Id in the vendor system. */
  externalId: string;
}

/** A lookup end point: `system:objectType`, where system `canonical` means a canonical type. */
export interface XrefEnd {
  /** Vendor system, or `canonical`. */
  readonly system: string;
  /** Vendor object type, or the canonical type. */
  readonly objectType: string;
}

/** Where cross-references are kept (the store's xref table, or memory in tests). */
export interface XrefRepository {
  /** Records that an external object is a canonical object (idempotent). */
  link(link: XrefLink): Promise<void>;
  /** Canonical ids of external ids in `system`/`objectType`, for canonical type `canonicalType`. */
  findCanonical(canonicalType: string, system: string, objectType: string, externalIds: readonly string[]): Promise<Map<string, string>>;
  /** External ids in `system`/`objectType` of canonical ids of `canonicalType`. */
  findExternal(canonicalType: string, canonicalIds: readonly string[], system: string, objectType: string): Promise<Map<string, string>>;
}

/** Parses `salesforce:Account` into its two halves. */
export function parseEnd(text: string): XrefEnd {
  const i = text.indexOf(':');
  return { system: text.slice(0, i), objectType: text.slice(i + 1) };
}

/** One pending lookup. */
export interface XrefRequest {
  /** `from>to` pair key, as the compiled mapping names it. */
  pair: string;
  /** The value looked up. */
  value: string;
}

/**
 * The per-run cache the compiled mapping reads synchronously: `undefined` means not yet resolved,
 * `null` means resolved and absent.
 */
export class XrefCache {
  readonly #pairs = new Map<string, Map<string, string | null>>();

  /** The cached answer for `value` under `pair`. */
  get(pair: string, value: string): string | null | undefined {
    return this.#pairs.get(pair)?.get(value);
  }

  /** Stores an answer (or `null` for "no such reference"). */
  set(pair: string, value: string, answer: string | null): void {
    let m = this.#pairs.get(pair);
    if (m === undefined) this.#pairs.set(pair, (m = new Map()));
    m.set(value, answer);
  }

  /** Preloads both directions of a set of links (benchmarks, fixtures). */
  preload(links: readonly XrefLink[]): void {
    for (const l of links) {
      const ext = `${l.system}:${l.objectType}`;
      const can = `${CANONICAL_SYSTEM}:${l.canonicalType}`;
      this.set(`${ext}>${can}`, l.externalId, l.canonicalId);
      this.set(`${can}>${ext}`, l.canonicalId, l.externalId);
    }
  }

  /**
   * Answers every request from `repo` in as few queries as there are distinct pairs (two for a
   * vendor-to-vendor pair), caching misses as `null`.
   */
  async resolve(requests: readonly XrefRequest[], repo: XrefRepository): Promise<void> {
    const byPair = new Map<string, Set<string>>();
    for (const r of requests) {
      if (this.get(r.pair, r.value) !== undefined) continue;
      let s = byPair.get(r.pair);
      if (s === undefined) byPair.set(r.pair, (s = new Set()));
      s.add(r.value);
    }
    for (const [pair, values] of byPair) {
      const [fromText = '', toText = ''] = pair.split('>');
      const answers = await resolvePair(parseEnd(fromText), parseEnd(toText), [...values], repo);
      for (const v of values) this.set(pair, v, answers.get(v) ?? null);
    }
  }
}

async function resolvePair(from: XrefEnd, to: XrefEnd, values: string[], repo: XrefRepository): Promise<Map<string, string>> {
  if (to.system === CANONICAL_SYSTEM) return repo.findCanonical(to.objectType, from.system, from.objectType, values);
  if (from.system === CANONICAL_SYSTEM) return repo.findExternal(from.objectType, values, to.system, to.objectType);
  throw validationError(`lookup ${from.system}:${from.objectType} > ${to.system}:${to.objectType} must have "canonical" on one side`);
}

/** An in-memory {@link XrefRepository}, for tests, fixtures and single-process tools. */
export class MemoryXrefRepository implements XrefRepository {
  readonly #links: XrefLink[] = [];

  /** Records a link unless the same external object is already linked. */
  async link(link: XrefLink): Promise<void> {
    const exists = this.#links.some(
      (l) =>
        l.canonicalType === link.canonicalType &&
        l.system === link.system &&
        l.objectType === link.objectType &&
        l.externalId === link.externalId,
    );
    if (!exists) this.#links.push({ ...link });
  }

  /** Canonical ids of the given external ids. */
  async findCanonical(canonicalType: string, system: string, objectType: string, externalIds: readonly string[]): Promise<Map<string, string>> {
    const wanted = new Set(externalIds);
    const out = new Map<string, string>();
    for (const l of this.#links) {
      if (l.canonicalType === canonicalType && l.system === system && l.objectType === objectType && wanted.has(l.externalId)) {
        out.set(l.externalId, l.canonicalId);
      }
    }
    return out;
  }

  /** External ids of the given canonical ids. */
  async findExternal(canonicalType: string, canonicalIds: readonly string[], system: string, objectType: string): Promise<Map<string, string>> {
    const wanted = new Set(canonicalIds);
    const out = new Map<string, string>();
    for (const l of this.#links) {
      if (l.canonicalType === canonicalType && l.system === system && l.objectType === objectType && wanted.has(l.canonicalId)) {
        out.set(l.canonicalId, l.externalId);
      }
    }
    return out;
  }
}
