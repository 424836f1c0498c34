/**
 * The shipped reconciliation jobs by name: what `interlock reconcile <job>` and the admin API
 * accept. A new job is one file beside these and one line here.
 */
import { validationError } from '../../core/errors.ts';
import { customersJob } from './customers.ts';
import { dealsJob } from './deals.ts';
import { invoicesJob } from './invoices.ts';
import type { JobDefinition } from './job.ts';

/** The jobs by name. */
export const RECONCILE_JOBS: Readonly<Record<string, JobDefinition>> = {
  customers: customersJob,
  deals: dealsJob,
  invoices: invoicesJob,
};

/** The job named `name`, or a validation error naming the jobs there are. */
export function findJob(name: string): JobDefinition {
  const job = RECONCILE_JOBS[name];
  if (job === undefined) throw validationError(`no reconciliation job "${name}"; jobs: ${Object.keys(RECONCILE_JOBS).join(', ')}`, { details: { field: 'job' } });
  return job;
}
