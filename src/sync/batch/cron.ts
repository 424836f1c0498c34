/**
 * Cron expressions of sync schedules, parsed by `cron-parser` (five fields, or six with seconds;
 * `@hourly`-style aliases), evaluated in UTC so that every worker computes the same next run.
 */
import { CronExpressionParser } from 'cron-parser';
import { validationError } from '../../core/errors.ts';

/** Throws a validation error naming `where` when `expression` is not a cron expression. */
export function checkCron(expression: string, where: string): void {
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC', strict: false });
  } catch (err) {
    throw validationError(`${where}: "${expression}" is not a cron expression (${(err as Error).message})`, { details: { field: where } });
  }
}

/** The first time strictly after `after` (epoch ms) that `expression` names. */
export function nextRun(expression: string, after: number): number {
  return CronExpressionParser.parse(expression, { currentDate: new Date(after), tz: 'UTC' }).next().getTime();
}
