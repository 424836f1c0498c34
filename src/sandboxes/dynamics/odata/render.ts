/**
 * A row as the Web API shows it: plain columns by logical name, lookups as `_<name>_value` (the
 * target's id), `@odata.etag` from the row version, `$select` applied (the primary id always
 * comes back), and with `Prefer: odata.include-annotations` the lookup annotations.
 */
import { noSuchProperty } from '../errors.ts';
import type { EntityDef } from '../schema.ts';
import type { Row } from '../store.ts';

/** The weak etag of a row version, as `@odata.etag` and `ETag` carry it. */
export function etagOf(row: Row): string {
  return `W/"${String(row.values['versionnumber'])}"`;
}

/** Every property name a query may use on this table. */
export function propertyNames(entity: EntityDef): Set<string> {
  return new Set([entity.idColumn, entity.nameColumn, ...Object.keys(entity.columns), ...Object.keys(entity.lookups).map((l) => `_${l}_value`)]);
}

/** The row's properties, unselected (what `$filter` and `$orderby` read). */
export function webView(entity: EntityDef, row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = { ...row.values };
  for (const column of Object.keys(entity.lookups)) out[`_${column}_value`] = row.refs[column]?.id ?? null;
  return out;
}

/** Parses `$select`; unknown names are a 400. Undefined means every column. */
export function parseSelect(entity: EntityDef, select: string | undefined): string[] | undefined {
  if (select === undefined || select.trim() === '') return undefined;
  const known = propertyNames(entity);
  const names = select.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of names) if (!known.has(name)) throw noSuchProperty(name, entity.logicalName);
  return names;
}

/** Whether the `Prefer` header asks for annotations (`odata.include-annotations="*"` or a matching pattern). */
export function wantsAnnotations(prefer: string | undefined): boolean {
  const match = /odata\.include-annotations="?([^",;]+)"?/i.exec(prefer ?? '');
  return match?.[1] !== undefined && (match[1] === '*' || match[1].startsWith('Microsoft.Dynamics.CRM'));
}

/** Renders one row. */
export function renderRow(entity: EntityDef, row: Row, select: readonly string[] | undefined, annotations: boolean): Record<string, unknown> {
  const view = webView(entity, row);
  const names = select === undefined ? [...propertyNames(entity)] : [...new Set([...select, entity.idColumn])];
  const out: Record<string, unknown> = { '@odata.etag': etagOf(row) };
  for (const name of names) {
    const lookup = /^_(.+)_value$/.exec(name)?.[1];
    const ref = lookup === undefined ? undefined : row.refs[lookup];
    if (annotations && ref) {
      out[`${name}@Microsoft.Dynamics.CRM.associatednavigationproperty`] = (entity.lookups[lookup ?? '']?.targets.length ?? 0) > 1 ? `${lookup}_${ref.target}` : lookup;
      out[`${name}@Microsoft.Dynamics.CRM.lookuplogicalname`] = ref.target;
    }
    out[name] = view[name] ?? null;
  }
  return out;
}
