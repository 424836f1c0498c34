/**
 * Entities in OData v2 JSON verbose: `__metadata` (`id`, `uri`, `type`, `etag`), properties in
 * their wire form, navigation properties as `{"__deferred":{"uri"}}` unless `$expand`ed (then
 * `{"results":[…]}` for to-many, the entity or null for to-one), and `$select` honoured.
 */
import { setByName, type EntitySetDef } from '../schema.ts';
import { etagOf, type SapRecord, type SapStore } from '../store.ts';
import { keyPredicate, toJson } from './values.ts';

/** Navigation properties to expand, nested (`to_Customer/to_CustomerSalesArea`). */
export type ExpandTree = Map<string, ExpandTree>;

/** Parses `$expand`. */
export function parseExpand(text: string | undefined): ExpandTree {
  const tree: ExpandTree = new Map();
  for (const path of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    let node = tree;
    for (const segment of path.split('/')) {
      let next = node.get(segment);
      if (next === undefined) {
        next = new Map();
        node.set(segment, next);
      }
      node = next;
    }
  }
  return tree;
}

/** What rendering needs. */
export interface RenderContext {
  store: SapStore;
  /** `http://host/sap/opu/odata/sap/<service>` */
  serviceUrl: string;
}

/** The URI of a record. */
export function entityUri(ctx: RenderContext, def: EntitySetDef, values: Readonly<Record<string, unknown>>): string {
  return `${ctx.serviceUrl}/${def.name}(${keyPredicate(def.keys, values)})`;
}

/** Renders one record. */
export function renderEntity(ctx: RenderContext, def: EntitySetDef, record: SapRecord, expand: ExpandTree = new Map(), select?: ReadonlySet<string>): Record<string, unknown> {
  const uri = entityUri(ctx, def, record.values);
  const namespace = def.service.replace(/;.*$/, '');
  const out: Record<string, unknown> = {
    __metadata: { id: uri, uri, type: `${namespace}.${def.name}Type`, ...(def.writable ? { etag: etagOf(record) } : {}) },
  };
  for (const [name, type] of Object.entries(def.props)) {
    if (select === undefined || select.has(name)) out[name] = toJson(type, record.values[name]);
  }
  for (const [name, nav] of Object.entries(def.navs)) {
    const sub = expand.get(name);
    if (sub === undefined) {
      if (select === undefined) out[name] = { __deferred: { uri: `${uri}/${name}` } };
      continue;
    }
    const target = setByName(nav.target);
    const children = ctx.store.children(def, name, record.values).map((c) => renderEntity(ctx, target, c, sub));
    out[name] = nav.many ? { results: children } : (children[0] ?? null);
  }
  return out;
}
