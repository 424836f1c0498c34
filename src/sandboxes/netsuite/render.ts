/**
 * Renders records as the REST record API does: `links` with a self link, references as
 * `{links, id, refName}`, empty fields left out, sublists as a link unless
 * `expandSubResources=true`, and `fields=` limiting the body fields returned.
 */
import { isCustomField, refTargets } from './schema.ts';
import type { NsRecordType, NsSublist } from './schema.ts';
import type { NsRecord, NsStore } from './store.ts';

const NONE: readonly string[] = [];

const STATUS_CODES: Readonly<Record<string, string>> = {
  'Pending Fulfillment': 'B',
  Open: 'A',
  'Paid In Full': 'B',
  'Not Deposited': 'A',
  Deposited: 'B',
};

/** Options of {@link renderRecord}. */
export interface RenderOptions {
  /** Inline sublist lines. */
  readonly expand: boolean;
  /** Only these body fields (lower-cased names), when given. */
  readonly fields: ReadonlySet<string> | undefined;
}

/** The record URL of a type and id under a base URL. */
export function recordUrl(base: string, type: string, id: string): string {
  return `${base}/services/rest/record/v1/${type}/${id}`;
}

/** Renders one record. */
export function renderRecord(store: NsStore, base: string, type: NsRecordType, record: NsRecord, options: RenderOptions): Record<string, unknown> {
  const self = recordUrl(base, type.name, record.id);
  const out: Record<string, unknown> = { links: [{ rel: 'self', href: self }] };
  for (const field of type.fields) {
    if (options.fields && field.name !== 'id' && !options.fields.has(field.name.toLowerCase())) continue;
    const value = record.fields[field.name];
    if (value === null || value === undefined) continue;
    if (field.kind === 'ref') out[field.name] = renderRef(store, base, field.refTypes ?? NONE, String(value));
    else if (field.name === 'status') out[field.name] = { id: STATUS_CODES[String(value)] ?? 'A', refName: value };
    else out[field.name] = value;
  }
  for (const [key, value] of Object.entries(record.fields)) {
    if (isCustomField(key) && value !== null && (!options.fields || options.fields.has(key))) out[key] = value;
  }
  if (!options.fields) {
    for (const sublist of type.sublists) {
      const href = `${self}/${sublist.name}`;
      out[sublist.name] = options.expand ? renderLines(store, base, href, sublist, record.sublists[sublist.name] ?? []) : { links: [{ rel: 'self', href }] };
    }
  }
  return out;
}

/** Renders a sublist as a collection of lines. */
export function renderLines(store: NsStore, base: string, href: string, sublist: NsSublist, lines: ReadonlyArray<Record<string, unknown>>): Record<string, unknown> {
  const items = lines.map((line) => {
    const out: Record<string, unknown> = { links: [{ rel: 'self', href: `${href}/${String(line['line'])}` }] };
    for (const field of sublist.fields) {
      const value = line[field.name];
      if (value === null || value === undefined) continue;
      out[field.name] = field.kind === 'ref' ? renderRef(store, base, field.refTypes ?? NONE, String(value)) : value;
    }
    for (const [key, value] of Object.entries(line)) if (isCustomField(key) && value !== null) out[key] = value;
    return out;
  });
  return { links: [{ rel: 'self', href }], count: items.length, hasMore: false, items, offset: 0, totalResults: items.length };
}

function renderRef(store: NsStore, base: string, refTypes: readonly string[], id: string): Record<string, unknown> {
  const target = store.getAny(refTargets(refTypes), id);
  const out: Record<string, unknown> = { links: target ? [{ rel: 'self', href: recordUrl(base, target.type, id) }] : [], id };
  const name = target ? refName(target) : undefined;
  if (name !== undefined) out['refName'] = name;
  return out;
}

/** The display name NetSuite gives a record in references. */
export function refName(record: NsRecord): string | undefined {
  const f = record.fields;
  const name = f['tranId'] ?? f['itemId'] ?? f['entityId'] ?? f['companyName'] ?? f['name'];
  return typeof name === 'string' ? name : undefined;
}
