/**
 * Small builders shared by the engine's tests: a destination policy, a quiet logger, messages.
 */
import { pino } from 'pino';
import type { DestinationConfig } from '../../src/core/config.ts';
import type { Logger } from '../../src/core/logger.ts';
import { idempotencyKey, type OutboundMessage } from '../../src/engine/outbox.ts';

/** A destination policy with test-friendly defaults; override any field. */
export function destination(overrides: Partial<DestinationConfig> = {}): DestinationConfig {
  return {
    url: 'http://127.0.0.1:9/ok',
    method: 'POST',
    headers: {},
    timeoutMs: 2000,
    concurrency: 16,
    rateLimit: null,
    retry: { maxAttempts: 3, maxAgeMs: 3_600_000, initialDelayMs: 100, maxDelayMs: 1000 },
    circuit: { failureThreshold: 100, cooldownMs: 1000 },
    ...overrides,
  };
}

/** A logger that writes nothing, unless INTERLOCK_TEST_LOG names a level (for debugging a test). */
export const silentLog: Logger = pino({ level: process.env.INTERLOCK_TEST_LOG ?? 'silent' });

/** A message for `dest` with business key `key`, identified by `n`. */
export function message(dest: string, key: string, n: number | string): OutboundMessage {
  return { destination: dest, key, idempotencyKey: idempotencyKey('test', dest, n), payload: JSON.stringify({ n }) };
}
