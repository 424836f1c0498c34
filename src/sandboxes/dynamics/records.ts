/**
 * Dataverse's write rules over the row store: payload validation (known columns, types,
 * read-only columns, `@odata.bind` lookups that must resolve), create / update / delete, row
 * versions, auto-numbers, and the derived values the platform keeps — line amounts, header totals
 * and an opportunity's system-calculated estimated value. Every committed change is reported to
 * `onChange` (the webhook sender listens).
 */
import { createHash, randomUUID } from 'node:crypto';
import { CODES, DataverseError, badRequest, recordNotFound } from './errors.ts';
import { parseBindValue, type RecordKey } from './keys.ts';
import { ENTITIES, entityByName, entityBySet, navigationTarget, type ColumnType, type EntityDef } from './schema.ts';
import type { Row, RowRef, RowStore } from './store.ts';

/** A committed change. */
export interface RowChange {
  message: 'Create' | 'Update' | 'Delete';
  entity: EntityDef;
  /** The row after the change (before it, for a delete). */
  row: Row;
  /** Columns the request set (for Update: the Target's attributes). */
  changed: readonly string[];
}

const MESSAGES = ['Create', 'Update', 'Delete'] as const;

/** Deterministic GUID from a name (seed data and platform metadata keep their ids across runs). */
export function nameGuid(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Rows with Dataverse's write semantics. */
export class Records {
  readonly #store: RowStore;
  readonly #onChange: (change: RowChange) => void;

  constructor(store: RowStore, onChange: (change: RowChange) => void) {
    this.#store = store;
    this.#onChange = onChange;
  }

  /** Every row of a table (generated for platform metadata tables). */
  list(entity: EntityDef): Row[] {
    return entity.system === true ? systemRows(entity) : this.#store.list(entity);
  }

  /** The row a key names, or undefined. */
  find(entity: EntityDef, key: RecordKey): Row | undefined {
    if (key.kind === 'id') return entity.system === true ? systemRows(entity).find((r) => r.id === key.id) : this.#store.get(entity, key.id);
    const columns = Object.keys(key.values).sort();
    const declared = entity.alternateKeys.some((k) => [...k].sort().join(',') === columns.join(','));
    if (!declared) throw badRequest(`The key '${columns.join(',')}' is not a valid alternate key for entity '${entity.logicalName}'.`);
    return this.#store.findByKey(entity, key.values);
  }

  /** The row a key names; 404 when there is none. */
  require(entity: EntityDef, key: RecordKey): Row {
    const row = this.find(entity, key);
    if (row === undefined) throw recordNotFound(entity.logicalName, key.kind === 'id' ? key.id : JSON.stringify(key.values));
    return row;
  }

  /** Creates a row from a Web API payload; `key` gives its id or alternate-key values (upsert). */
  create(entity: EntityDef, payload: unknown, key?: RecordKey): Row {
    this.#writable(entity);
    const { values, refs } = this.#parse(entity, payload, 'create');
    const id = key?.kind === 'id' ? key.id : typeof values[entity.idColumn] === 'string' ? String(values[entity.idColumn]).toLowerCase() : randomUUID();
    if (this.#store.get(entity, id) !== undefined) throw new DataverseError(412, CODES.duplicateKey, 'A record with matching key values already exists.');
    if (key?.kind === 'alternate') Object.assign(values, key.values);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const row: Row = { entity: entity.logicalName, id, values: { ...values, [entity.idColumn]: id, createdon: now }, refs };
    row.values['statecode'] ??= 0;
    row.values['statuscode'] ??= 1;
    if (entity.autoNumber !== undefined) row.values[entity.autoNumber.column] = this.#documentNumber(entity.autoNumber.prefix);
    for (const column of [entity.nameColumn, ...Object.keys(entity.columns)]) row.values[column] ??= null;
    for (const column of Object.keys(entity.lookups)) row.refs[column] ??= null;
    if (entity.nameRequired && (row.values[entity.nameColumn] === null || row.values[entity.nameColumn] === '')) {
      throw new DataverseError(400, CODES.required, `Attribute '${entity.nameColumn}' cannot be NULL`);
    }
    this.#commit(entity, row, 'Create', [...Object.keys(values), ...Object.keys(refs)]);
    return row;
  }

  /** Applies a Web API payload to an existing row. */
  update(entity: EntityDef, row: Row, payload: unknown): Row {
    this.#writable(entity);
    const { values, refs } = this.#parse(entity, payload, 'update');
    delete values[entity.idColumn];
    const next: Row = { ...row, values: { ...row.values, ...values }, refs: { ...row.refs, ...refs } };
    this.#commit(entity, next, 'Update', [...Object.keys(values), ...Object.keys(refs)]);
    return next;
  }

  /** Sets state and status (the `WinOpportunity`-style actions), as an Update. */
  setState(entity: EntityDef, row: Row, statecode: number, statuscode: number, extra: Record<string, unknown> = {}): Row {
    const next: Row = { ...row, values: { ...row.values, ...extra, statecode, statuscode } };
    this.#commit(entity, next, 'Update', ['statecode', 'statuscode', ...Object.keys(extra)]);
    return next;
  }

  /** Deletes a row (its lines with it, as the parental relationship cascades). */
  delete(entity: EntityDef, row: Row): void {
    this.#writable(entity);
    for (const line of ENTITIES.filter((e) => e.parentLookup !== undefined && e.lookups[e.parentLookup]?.targets.includes(entity.logicalName))) {
      for (const child of this.#store.list(line)) if (child.refs[line.parentLookup ?? '']?.id === row.id) this.#store.delete(child);
    }
    this.#store.delete(row);
    this.#onChange({ message: 'Delete', entity, row, changed: [] });
    this.#rollUpParent(entity, row);
  }

  #writable(entity: EntityDef): void {
    if (entity.system === true) throw new DataverseError(403, '0x80040220', `The ${entity.logicalName} table is read-only.`);
  }

  #commit(entity: EntityDef, row: Row, message: RowChange['message'], changed: string[]): void {
    derive(entity, row, this.#store);
    row.values['versionnumber'] = this.#store.next('versionnumber', 1_000_000);
    row.values['modifiedon'] = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.#store.put(row);
    this.#onChange({ message, entity, row, changed });
    this.#rollUpParent(entity, row);
  }

  // A line changed: the header's totals follow, as an Update of the header.
  #rollUpParent(entity: EntityDef, line: Row): void {
    const ref = entity.parentLookup === undefined ? null : line.refs[entity.parentLookup];
    const parentEntity = ref ? entityByName(ref.target) : undefined;
    const parent = ref && parentEntity ? this.#store.get(parentEntity, ref.id) : undefined;
    if (!parent || !parentEntity) return;
    const before = JSON.stringify(parent.values);
    const next: Row = { ...parent, values: { ...parent.values } };
    derive(parentEntity, next, this.#store);
    if (JSON.stringify(next.values) !== before) this.#commit(parentEntity, next, 'Update', ['totalamount', 'totallineitemamount']);
  }

  #documentNumber(prefix: string): string {
    const n = this.#store.next(`number:${prefix}`, 1000);
    const suffix = createHash('sha1').update(`${prefix}${n}`).digest('hex').slice(0, 6).toUpperCase();
    return `${prefix}-0${n}-${suffix}`;
  }

  #parse(entity: EntityDef, payload: unknown, mode: 'create' | 'update'): { values: Record<string, unknown>; refs: Record<string, RowRef | null> } {
    if (payload === undefined && mode === 'update') return { values: {}, refs: {} };
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw badRequest('The request body must be a JSON object.', CODES.badPayload);
    const values: Record<string, unknown> = {};
    const refs: Record<string, RowRef | null> = {};
    for (const [name, value] of Object.entries(payload as Record<string, unknown>)) {
      if (name.startsWith('@odata.')) continue;
      if (name.endsWith('@odata.bind')) {
        const nav = navigationTarget(entity, name.slice(0, -'@odata.bind'.length));
        if (nav === undefined) throw badRequest(`An undeclared property '${name.slice(0, -'@odata.bind'.length)}' which only has property annotations in the payload but no property value was found in the payload.`);
        refs[nav.column] = value === null ? null : this.#resolveBind(nav.target, value);
        continue;
      }
      if (name === entity.idColumn && mode === 'create') {
        if (typeof value !== 'string') throw payloadError(entity, name);
        values[name] = value;
        continue;
      }
      const type = entity.columns[name] ?? (name === entity.nameColumn ? 'string' : undefined);
      if (type === undefined) throw badRequest(`Invalid property '${name}' was found in entity 'Microsoft.Dynamics.CRM.${entity.logicalName}'.`);
      if (entity.readOnly.includes(name)) throw new DataverseError(400, CODES.readOnly, `Attribute '${name}' of entity '${entity.logicalName}' is read-only and cannot be set.`);
      if (value !== null && !fits(type, value)) throw payloadError(entity, name);
      values[name] = value;
    }
    return { values, refs };
  }

  #resolveBind(target: string, value: unknown): RowRef {
    if (typeof value !== 'string') throw badRequest('The value of an @odata.bind annotation must be a string.');
    const path = parseBindValue(value);
    const entity = entityBySet(path.set);
    if (!entity || entity.logicalName !== target || path.key === undefined) throw badRequest(`The @odata.bind value '${value}' does not name a ${target} record.`);
    return { target, id: this.require(entity, path.key).id };
  }
}

function fits(type: ColumnType, value: unknown): boolean {
  switch (type) {
    case 'string':
    case 'memo':
      return typeof value === 'string';
    case 'int':
    case 'picklist':
      return Number.isInteger(value);
    case 'decimal':
    case 'money':
      return typeof value === 'number' && Number.isFinite(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
    case 'datetime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    case 'guid':
      return typeof value === 'string';
  }
}

function payloadError(entity: EntityDef, column: string): DataverseError {
  return new DataverseError(400, CODES.badPayload, `Error identified in Payload provided by the user for Entity :'${entity.setName}', For more information on this error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293  ---->  InnerException : Microsoft.OData.ODataException: Cannot convert the literal for property '${column}'.`);
}

const money = (n: number): number => Math.round(n * 100) / 100;
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** Recomputes the platform-derived values of a row in place. */
function derive(entity: EntityDef, row: Row, store: RowStore): void {
  const v = row.values;
  if (entity.logicalName === 'contact') v['fullname'] = [v['firstname'], v['lastname']].filter((p) => typeof p === 'string' && p !== '').join(' ') || null;
  if (entity.parentLookup !== undefined) {
    const productRef = row.refs['productid'];
    const product = productRef ? store.get(entityByName('product') as EntityDef, productRef.id) : undefined;
    if (v['ispriceoverridden'] !== true && product && typeof product.values['price'] === 'number') v['priceperunit'] = product.values['price'];
    const base = money(num(v['quantity']) * num(v['priceperunit']));
    v['baseamount'] = base;
    v['extendedamount'] = money(base - num(v['manualdiscountamount']) + num(v['tax']));
  }
  const line = ENTITIES.find((e) => e.parentLookup !== undefined && e.lookups[e.parentLookup]?.targets[0] === entity.logicalName);
  if (line?.parentLookup !== undefined && 'totalamount' in entity.columns) {
    const lines = store.list(line).filter((l) => l.refs[line.parentLookup ?? '']?.id === row.id);
    const total = money(lines.reduce((sum, l) => sum + num(l.values['extendedamount']), 0));
    v['totallineitemamount'] = total;
    v['totalamount'] = money(total - num(v['discountamount']) + num(v['totaltax']));
    if (entity.logicalName === 'opportunity' && v['isrevenuesystemcalculated'] === true) v['estimatedvalue'] = v['totalamount'];
  }
}

// Platform metadata rows never change: made once per table (each id is a SHA-1, and every write
// asked for them when it looked for webhook steps to notify).
const systemRowCache = new Map<string, readonly Row[]>();

// Platform metadata rows: the messages webhooks register on, and one filter per message and table.
function systemRows(entity: EntityDef): Row[] {
  let rows = systemRowCache.get(entity.logicalName);
  if (rows === undefined) {
    rows = Object.freeze(makeSystemRows(entity));
    systemRowCache.set(entity.logicalName, rows);
  }
  return [...rows];
}

function makeSystemRows(entity: EntityDef): Row[] {
  const message = (name: string): Row => ({ entity: 'sdkmessage', id: nameGuid(`sdkmessage:${name}`), values: { sdkmessageid: nameGuid(`sdkmessage:${name}`), name }, refs: {} });
  if (entity.logicalName === 'sdkmessage') return MESSAGES.map(message);
  const tables = ENTITIES.filter((e) => e.system !== true).map((e) => e.logicalName);
  return MESSAGES.flatMap((m) =>
    tables.map((table): Row => {
      const id = nameGuid(`sdkmessagefilter:${m}:${table}`);
      return { entity: 'sdkmessagefilter', id, values: { sdkmessagefilterid: id, primaryobjecttypecode: table, secondaryobjecttypecode: 'none' }, refs: { sdkmessageid: { target: 'sdkmessage', id: message(m).id } } };
    }),
  );
}
