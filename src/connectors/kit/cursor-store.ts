/**
 * Where a connector's triggers keep their read position (a CDC replay id, a polling watermark)
 * so that a restart resumes exactly there. Writes are compare-and-set on the previous value:
 * two workers reading the same feed cannot both advance a cursor from the same position, and the
 * loser learns it instead of silently moving the cursor back.
 */
import type { Clock } from '../../core/clock.ts';
import { systemClock } from '../../core/clock.ts';
import type { Store } from '../../store/store.ts';

/** Named cursors of one connector instance, kept in the store's `connector_cursors`. */
export class CursorStore {
  readonly #store: Store;
  readonly #connector: string;
  readonly #clock: Clock;

  /**
   * @param connector the connector instance the cursors belong to, e.g. `salesforce:prod`
   */
  constructor(store: Store, connector: string, clock: Clock = systemClock) {
    this.#store = store;
    this.#connector = connector;
    this.#clock = clock;
  }

  /** The cursor's value, or undefined when it was never set. */
  async get(name: string): Promise<string | undefined> {
    const row = await this.#store.db
      .selectFrom('connector_cursors')
      .select('value')
      .where('connector', '=', this.#connector)
      .where('name', '=', name)
      .executeTakeFirst();
    return row?.value;
  }

  /**
   * Sets the cursor to `value` if it still holds `previous` (undefined: if it was never set).
   * @returns whether it was set; false means someone else moved it first (read it again)
   */
  async set(name: string, value: string, previous: string | undefined): Promise<boolean> {
    const now = this.#clock.now();
    if (previous === undefined) {
      const result = await this.#store.db
        .insertInto('connector_cursors')
        .values({ connector: this.#connector, name, value, version: 1, updated_at: now })
        .onConflict((oc) => oc.columns(['connector', 'name']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    }
    const result = await this.#store.db
      .updateTable('connector_cursors')
      .set((eb) => ({ value, version: eb('version', '+', 1), updated_at: now }))
      .where('connector', '=', this.#connector)
      .where('name', '=', name)
      .where('value', '=', previous)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
