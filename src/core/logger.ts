/**
 * Structured JSON logs (pino). Anything that may hold a secret is redacted by path before it is
 * written, so a credential that reaches a log call still never reaches the log.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths censored in every log line. */
export const REDACTED_PATHS: readonly string[] = [
  'authorization',
  'password',
  'token',
  'secret',
  'apiKey',
  '*.authorization',
  '*.password',
  '*.token',
  '*.secret',
  '*.apiKey',
  'headers.authorization',
  'headers.cookie',
  'headers["stripe-signature"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'config.admin.token',
  'config.store.postgres.url',
  '*.secrets',
  'config.sources.*.signature.secrets',
];

/** Creates the process logger at `level`, writing JSON lines to `destination` (stdout). */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { service: 'interlock' }, redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
