/**
 * In-process wake-up signals, coalesced: many notifications in one turn of the event loop become
 * one call per listener, so a burst of 1,000 accepted events does not wake a worker 1,000 times.
 */
import type { WakeChannel } from './store.ts';

/** Local listeners per channel, with coalesced delivery. */
export class WakeSignals {
  readonly #listeners = new Map<WakeChannel, Set<() => void>>();
  readonly #pending = new Set<WakeChannel>();
  #scheduled = false;

  /** Schedules one call of every listener of `channel` at the end of this turn. */
  signal(channel: WakeChannel): void {
    this.#pending.add(channel);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const channels = [...this.#pending];
      this.#pending.clear();
      for (const c of channels) for (const l of this.#listeners.get(c) ?? []) l();
    });
  }

  /** Adds a listener; returns the function that removes it. */
  add(channel: WakeChannel, listener: () => void): () => void {
    let set = this.#listeners.get(channel);
    if (set === undefined) this.#listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }
}
