/**
 * Creating, changing and deleting entities: the body is checked against the set's properties
 * (an unknown or mistyped one is a 400), nested navigation properties are created with the parent
 * (deep insert, links filled in from the parent), and each set's own rules run through
 * {@link SetRules} (numbering, defaults, amounts, references).
 */
import { badRequest, SapError } from './errors.ts';
import { fromJson, type Stored } from './odata/values.ts';
import { setByName, type EntitySetDef } from './schema.ts';
import type { SapRecord, SapStore } from './store.ts';

/** What a set's rules may use. */
export interface RuleContext {
  store: SapStore;
  /** Called after a write commits (events). */
  changed(def: EntitySetDef, record: SapRecord, kind: 'Created' | 'Changed' | 'Deleted'): void;
}

/** The business rules of one set. */
export interface SetRules {
  /** Fills defaults and numbers before a create; may throw a 400. `nested` holds the deep-insert bodies. */
  beforeCreate?(ctx: RuleContext, values: Record<string, Stored>, nested: Record<string, Record<string, unknown>[]>): void;
  /** Runs once the record and its nested records exist. */
  afterCreate?(ctx: RuleContext, record: SapRecord): void;
  /** Checks or completes a change. */
  beforeUpdate?(ctx: RuleContext, values: Record<string, Stored>, previous: Readonly<Record<string, Stored>>): void;
  /** Properties a client may not change. */
  readOnly?: readonly string[];
}

/** Reads the plain properties of a body; returns the nested navigation bodies apart. */
export function readBody(def: EntitySetDef, body: unknown): { values: Record<string, Stored>; nested: Record<string, Record<string, unknown>[]> } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The request body must be a JSON object');
  const values: Record<string, Stored> = {};
  const nested: Record<string, Record<string, unknown>[]> = {};
  for (const [name, raw] of Object.entries(body as Record<string, unknown>)) {
    if (name === '__metadata') continue;
    const type = def.props[name];
    if (type !== undefined) {
      values[name] = fromJson(type, name, raw);
      continue;
    }
    if (def.navs[name] === undefined) throw badRequest(`Property '${name}' is invalid`, name);
    const list = Array.isArray(raw) ? raw : Array.isArray((raw as { results?: unknown })?.results) ? (raw as { results: unknown[] }).results : raw === null ? [] : [raw];
    nested[name] = list as Record<string, unknown>[];
  }
  return { values, nested };
}

/** Creates a record (and its nested records). */
export function createEntity(ctx: RuleContext, rules: Readonly<Record<string, SetRules>>, def: EntitySetDef, body: unknown, parent?: Readonly<Record<string, Stored>>, link?: Readonly<Record<string, string>>): SapRecord {
  if (!def.writable) throw new SapError(405, '/IWBEP/CM_MGW_RT/021', `Method 'CREATE_ENTITY' not implemented for entity set '${def.name}'`);
  const { values, nested } = readBody(def, body);
  if (parent !== undefined && link !== undefined) for (const [child, from] of Object.entries(link)) values[child] = parent[from] ?? null;
  rules[def.name]?.beforeCreate?.(ctx, values, nested);
  for (const key of def.keys) if (values[key] === null || values[key] === undefined || values[key] === '') throw badRequest(`Key property '${key}' of '${def.name}' is missing`, key);
  if (ctx.store.get(def, values) !== undefined) throw new SapError(400, 'CX_SADL_ENTITY_DUPLICATE', `Instance with the same key already exists in ${def.name}`);
  const record = ctx.store.put(def, values);
  for (const [nav, bodies] of Object.entries(nested)) {
    const navDef = def.navs[nav];
    if (navDef === undefined) continue;
    for (const child of bodies) createEntity(ctx, rules, setByName(navDef.target), child, values, navDef.link);
  }
  rules[def.name]?.afterCreate?.(ctx, record);
  const stored = ctx.store.get(def, values) ?? record;
  ctx.changed(def, stored, 'Created');
  return stored;
}

/** Applies a PATCH/MERGE (or a PUT, which replaces the non-key properties). */
export function updateEntity(ctx: RuleContext, rules: Readonly<Record<string, SetRules>>, def: EntitySetDef, record: SapRecord, body: unknown, replace: boolean): SapRecord {
  const { values, nested } = readBody(def, body);
  if (Object.keys(nested).length > 0) throw badRequest('Navigation properties cannot be changed with an update; use their own entity sets');
  const readOnly = rules[def.name]?.readOnly ?? [];
  for (const name of Object.keys(values)) {
    if (def.keys.includes(name) && values[name] !== record.values[name]) throw badRequest(`Key property '${name}' cannot be changed`, name);
    if (readOnly.includes(name) && values[name] !== record.values[name]) throw badRequest(`Property '${name}' is read-only`, name);
  }
  const base = replace ? Object.fromEntries(def.keys.map((k) => [k, record.values[k] ?? null])) : { ...record.values };
  const next = { ...base, ...values };
  rules[def.name]?.beforeUpdate?.(ctx, next, record.values);
  const stored = ctx.store.put(def, next);
  ctx.changed(def, stored, 'Changed');
  return stored;
}

/** Deletes a record and what its to-many navigation properties own. */
export function deleteEntity(ctx: RuleContext, def: EntitySetDef, record: SapRecord): void {
  for (const [nav, navDef] of Object.entries(def.navs)) {
    if (!navDef.many) continue;
    for (const child of ctx.store.children(def, nav, record.values)) ctx.store.delete(setByName(navDef.target), child.values);
  }
  ctx.store.delete(def, record.values);
  ctx.changed(def, record, 'Deleted');
}
