/**
 * Values pasted into SQL text, for PostgreSQL's simple-protocol exchanges (see
 * `Store.withSession`): strings go through the session's `literal`; integers through here.
 */

/** `n` as an SQL integer literal; refuses anything but a safe integer (it is pasted into SQL text). */
export function sqlInteger(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`expected an integer, got ${n}`);
  return String(n);
}
