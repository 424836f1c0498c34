/**
 * Record transformation, `POST /record/v1/{type}/{id}/!transform/{targetType}`: NetSuite's way to
 * bill a sales order (salesOrder → invoice) or take a payment for an invoice
 * (invoice → customerPayment). The new record starts from the source's values, the request body
 * may override them, and the answer is 204 with the new record's `Location`.
 */
import { NetSuiteError } from './errors.ts';
import { createRecord } from './records.ts';
import type { NsRecordType } from './schema.ts';
import type { NsRecord, NsStore } from './store.ts';

/** The transformations the sandbox supports, source → target. */
const TRANSFORMS: Readonly<Record<string, readonly string[]>> = {
  salesOrder: ['invoice'],
  invoice: ['customerPayment'],
};

/** Creates `target` from `source`, with `body` overriding the copied values. */
export function transformRecord(store: NsStore, source: NsRecord, target: NsRecordType, body: unknown): NsRecord {
  if (!(TRANSFORMS[source.type] ?? []).includes(target.name)) {
    throw new NetSuiteError(400, 'INVALID_TRANSFORM', `Transformation of ${source.type} to ${target.name} is not supported.`);
  }
  const overrides = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const ref = (id: unknown): { id: string } | undefined => (typeof id === 'string' ? { id } : undefined);
  const base: Record<string, unknown> =
    target.name === 'invoice'
      ? {
          entity: ref(source.fields['entity']),
          subsidiary: ref(source.fields['subsidiary']),
          currency: ref(source.fields['currency']),
          createdFrom: { id: source.id },
          otherRefNum: source.fields['otherRefNum'] ?? undefined,
          memo: source.fields['memo'] ?? undefined,
          item: {
            items: (source.sublists['item'] ?? []).map((l) => ({ item: ref(l['item']), quantity: l['quantity'], rate: l['rate'], description: l['description'] ?? undefined })),
          },
        }
      : {
          customer: ref(source.fields['entity']),
          subsidiary: ref(source.fields['subsidiary']),
          currency: ref(source.fields['currency']),
          payment: source.fields['amountRemaining'],
          apply: { items: [{ doc: { id: source.id }, apply: true, amount: source.fields['amountRemaining'] }] },
        };
  const merged = Object.fromEntries(Object.entries({ ...base, ...overrides }).filter(([, v]) => v !== undefined));
  return createRecord(store, target, merged);
}
