/**
 * The shipped syncs by name: what `interlock sync run <name>` and the scheduler accept. A new
 * sync is one file beside these and one line here.
 */
import { validationError } from '../../../core/errors.ts';
import type { SyncFactory } from '../sync-definition.ts';
import { customersSync } from './customers.ts';
import { priceBooksSync } from './price-books.ts';
import { productsSync } from './products.ts';

/** The syncs by name. */
export const SYNCS: Readonly<Record<string, SyncFactory>> = {
  customers: customersSync,
  products: productsSync,
  'price-books': (systems, budget) => priceBooksSync(systems, budget),
};

/** The sync named `name`, or a validation error naming the syncs there are. */
export function findSync(name: string): SyncFactory {
  const sync = SYNCS[name];
  if (sync === undefined) throw validationError(`no sync "${name}"; syncs: ${Object.keys(SYNCS).join(', ')}`, { details: { field: 'sync' } });
  return sync;
}
