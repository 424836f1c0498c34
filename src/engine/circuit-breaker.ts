/**
 * The circuit breaker of a destination, as pure state transitions; the state is stored in
 * `destination_state` so that all workers share it. Closed: deliver. After `failureThreshold`
 * consecutive failures: open, deliver nothing for `cooldownMs`. Then half-open: one probe at a
 * time; a success closes the circuit, a failure opens it again.
 */

/** The three states. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** A circuit's persisted state. */
export interface Circuit {
  state: CircuitState;
  consecutiveFailures: number;
  openedAt: number | null;
}

/** Breaker settings of a destination. */
export interface CircuitPolicy {
  failureThreshold: number;
  cooldownMs: number;
}

/** How many deliveries the circuit allows to start now (Infinity when closed). */
export function admits(policy: CircuitPolicy, circuit: Circuit, now: number, inFlight: number): number {
  if (circuit.state === 'closed') return Number.POSITIVE_INFINITY;
  if (circuit.state === 'open' && (circuit.openedAt ?? 0) + policy.cooldownMs > now) return 0;
  // Half-open (or open and cooled down): a single probe.
  return inFlight > 0 ? 0 : 1;
}

/** The state after a claim admitted by an open, cooled-down circuit. */
export function onProbe(circuit: Circuit): Circuit {
  return circuit.state === 'open' ? { ...circuit, state: 'half-open' } : circuit;
}

/**
 * The state after a batch of outcomes, in completion order (`true` = delivered, `false` = failed
 * for a reason that counts against the destination: 5xx, timeouts, connection errors).
 */
export function afterOutcomes(policy: CircuitPolicy, circuit: Circuit, outcomes: readonly boolean[], now: number): Circuit {
  let c = circuit;
  for (const ok of outcomes) {
    if (ok) {
      c = { state: 'closed', consecutiveFailures: 0, openedAt: null };
    } else {
      const failures = c.consecutiveFailures + 1;
      const trip = c.state === 'half-open' || failures >= policy.failureThreshold;
      c = trip ? { state: 'open', consecutiveFailures: failures, openedAt: now } : { ...c, consecutiveFailures: failures };
    }
  }
  return c;
}
