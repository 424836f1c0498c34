/**
 * The "someone else saved it meanwhile" fault: armed with a count, the next conditional writes
 * (an `If-Match` with a real ETag, not `*`) find the entity changed by another user and answer
 * `412` — what a client sees when a person edits the record between its read and its write. A
 * client must read again and re-apply its change, not overwrite blindly. Armed through
 * `POST /__sandbox/sap/concurrent-edits {count}`; cleared by a reset.
 */
export class ConcurrentEdits {
  #pending = 0;

  /** The next `count` conditional writes answer 412. */
  arm(count: number): number {
    this.#pending = Math.max(0, Math.floor(count));
    return this.#pending;
  }

  /** Whether this conditional write meets a concurrent edit (uses one up). */
  take(): boolean {
    if (this.#pending === 0) return false;
    this.#pending -= 1;
    return true;
  }

  /** Writes still to be refused. */
  get pending(): number {
    return this.#pending;
  }
}
