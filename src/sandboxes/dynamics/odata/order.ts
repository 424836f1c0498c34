/**
 * `$orderby`: several keys, `asc`/`desc`, nulls first ascending (as SQL Server orders them),
 * strings compared case-insensitively. Shared by collection queries and expanded collections.
 */
import { badRequest } from '../errors.ts';
import type { EntityDef } from '../schema.ts';
import { propertyNames } from './render.ts';

/** Returns `views` sorted by `orderBy` (a copy); an unknown property or bad direction is a 400. */
export function sortViews<T extends { view: Record<string, unknown> }>(views: readonly T[], orderBy: string, entity: EntityDef): T[] {
  return [...views].sort(comparator(orderBy, propertyNames(entity), entity));
}

function comparator(orderBy: string, known: Set<string>, entity: EntityDef): (a: { view: Record<string, unknown> }, b: { view: Record<string, unknown> }) => number {
  const keys = orderBy.split(',').map((part) => {
    const [name = '', dir = 'asc', ...extra] = part.trim().split(/\s+/);
    if (!known.has(name)) throw badRequest(`Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${entity.logicalName}'.`);
    if (extra.length > 0 || (dir !== 'asc' && dir !== 'desc')) throw badRequest(`Syntax error in $orderby '${orderBy}'.`);
    return { name, sign: dir === 'desc' ? -1 : 1 };
  });
  return (a, b) => {
    for (const { name, sign } of keys) {
      const x = a.view[name] ?? null;
      const y = b.view[name] ?? null;
      if (x === y) continue;
      // Nulls sort first ascending, as SQL Server orders them.
      if (x === null) return -sign;
      if (y === null) return sign;
      const c = typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y, 'en', { sensitivity: 'base' }) : (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
      if (c !== 0) return c * sign;
    }
    return 0;
  };
}
