/**
 * NetSuite record shapes shared by the actions: references by internal id or external id, and
 * the record path with its id (`eid:` for external ids) safely encoded.
 */
import { InterlockError } from '../../../core/errors.ts';

/** A reference to another record: its internal id or its external id. */
export type NetSuiteRef = { id: string } | { externalId: string };

/** A reference as NetSuite renders it in a read record. */
export interface RenderedRef {
  id: string;
  refName?: string;
}

/** `/record/v1/<type>/<id>` or `…/eid:<externalId>`, with the id encoded for the path. */
export function recordPath(type: string, key: NetSuiteRef): string {
  if ('id' in key) {
    if (!/^\d+$/.test(key.id)) throw new InterlockError('validation', `NetSuite internal id must be digits, got ${JSON.stringify(key.id)}`);
    return `record/v1/${type}/${key.id}`;
  }
  if (key.externalId.trim() === '') throw new InterlockError('validation', 'NetSuite external id must not be empty');
  return `record/v1/${type}/eid:${encodeURIComponent(key.externalId)}`;
}
