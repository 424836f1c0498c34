/**
 * One call in flight per key: a read asked for again while the first is still out waits for that
 * one's answer instead of sending its own. At an API's request rates a popular record (the account
 * a whole sales team is quoting) is otherwise fetched once per request, all at the same instant.
 */

/** Shares the in-flight call of each key among everyone asking for it. */
export class SingleFlight {
  readonly #flights = new Map<string, Promise<unknown>>();

  /** The answer of `call` for `key`: the one in flight if there is one, else a new call. */
  run<T>(key: string, call: () => Promise<T>): Promise<T> {
    const current = this.#flights.get(key);
    if (current !== undefined) return current as Promise<T>;
    const flight = call().finally(() => this.#flights.delete(key));
    this.#flights.set(key, flight);
    return flight;
  }

  /** How many calls are in flight. */
  get size(): number {
    return this.#flights.size;
  }
}
