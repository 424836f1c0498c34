/**
 * Seedable randomness for fault decisions and event shuffling, so a test that sets a seed sees
 * the same faults on every run. Not for secrets or ids (those use `node:crypto`).
 */

/** A source of numbers in [0, 1). */
export interface Random {
  /** The next number in [0, 1). */
  next(): number;
}

/** mulberry32: tiny, fast and good enough to spread fault decisions evenly. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** Fisher–Yates shuffle of a copy of `items`, driven by `random`. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}
