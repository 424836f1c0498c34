/**
 * The seam between the engine and whatever performs an effect: HTTP destinations now,
 * connector actions later. A deliverer never throws for a failed delivery; it returns an
 * outcome classified through the error taxonomy, which is all the dispatcher needs to decide.
 */
import { toInterlockError } from '../core/errors.ts';
import type { FailureClass } from '../store/migrations/0001-engine.ts';

/** One message to deliver. */
export interface DeliveryRequest {
  id: number;
  destination: string;
  key: string;
  idempotencyKey: string;
  payload: string;
  headers: Readonly<Record<string, string>>;
  /** 1 for the first attempt. */
  attempt: number;
}

/** What happened to one delivery attempt. */
export type DeliveryOutcome =
  | { ok: true; status?: number }
  | {
      ok: false;
      failure: FailureClass;
      reason: string;
      status?: number;
      response?: string;
      /** From `Retry-After` or the error: do not try before this many ms. */
      retryAfterMs?: number;
    };

/** Performs deliveries to one kind of destination. */
export interface Deliverer {
  deliver(request: DeliveryRequest): Promise<DeliveryOutcome>;
  /** Releases connections. */
  close?(): Promise<void>;
}

/** Converts anything thrown by a deliverer into an outcome. */
export function outcomeFromError(thrown: unknown): DeliveryOutcome {
  const err = toInterlockError(thrown);
  const failure: FailureClass =
    err.code === 'rate-limited' ? 'rate-limited' : err.retryable || err.code === 'unexpected' ? 'retryable' : 'permanent';
  return {
    ok: false,
    failure,
    reason: `${err.code}: ${err.message}`,
    ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
  };
}
