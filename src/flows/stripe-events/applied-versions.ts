/**
 * The last applied version of each Stripe object (`applied_versions`), so the feedback flows can
 * tell a stale event from a new one. Versions only move forward: recording an older one than the
 * stored one leaves the stored one, so two runs finishing in any order keep the newest.
 */
import { compareVersions } from '../../connectors/stripe/triggers/staleness.ts';
import type { StripeEventVersion } from '../../connectors/stripe/triggers/staleness.ts';
import type { Clock } from '../../core/clock.ts';
import { systemClock } from '../../core/clock.ts';
import type { Store } from '../../store/store.ts';

/** A version as applied: which event set it. */
export interface AppliedVersion extends StripeEventVersion {
  eventId: string;
}

/** Last applied versions of the objects of one source, kept in the store. */
export class AppliedVersions {
  readonly #store: Store;
  readonly #source: string;
  readonly #clock: Clock;

  /** @param source whose objects, e.g. `stripe` */
  constructor(store: Store, source = 'stripe', clock: Clock = systemClock) {
    this.#store = store;
    this.#source = source;
    this.#clock = clock;
  }

  /** The version last applied to `objectId`, or undefined when none was. */
  async get(objectId: string): Promise<AppliedVersion | undefined> {
    const row = await this.#store.db
      .selectFrom('applied_versions')
      .select(['rank', 'event_id'])
      .where('source', '=', this.#source)
      .where('object_id', '=', objectId)
      .executeTakeFirst();
    return row === undefined ? undefined : { objectId, rank: JSON.parse(row.rank) as number[], eventId: row.event_id };
  }

  /**
   * Records `version` as applied unless a newer one is recorded already.
   * @returns whether it was recorded (false: a newer version was there)
   */
  async advance(version: AppliedVersion): Promise<boolean> {
    const now = this.#clock.now();
    const values = { source: this.#source, object_id: version.objectId, rank: JSON.stringify(version.rank), event_id: version.eventId, updated_at: now };
    return this.#store.transaction(async (trx) => {
      const inserted = await trx
        .insertInto('applied_versions')
        .values(values)
        .onConflict((oc) => oc.columns(['source', 'object_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return true;
      let read = trx.selectFrom('applied_versions').select('rank').where('source', '=', this.#source).where('object_id', '=', version.objectId);
      // Two runs recording the same object at once on PostgreSQL: the second waits for the first.
      if (this.#store.dialect === 'postgres') read = read.forUpdate();
      const current = await read.executeTakeFirstOrThrow();
      if (compareVersions(version, { objectId: version.objectId, rank: JSON.parse(current.rank) as number[] }) < 0) return false;
      await trx
        .updateTable('applied_versions')
        .set({ rank: values.rank, event_id: values.event_id, updated_at: now })
        .where('source', '=', this.#source)
        .where('object_id', '=', version.objectId)
        .execute();
      return true;
    });
  }
}
