/**
 * How each vendor has answered lately, from this process's own calls: the last 200 outcomes and
 * latencies per vendor. "down" when most recent calls failed or its circuit breaker is open,
 * "degraded" when some did or the vendor is rate-limiting, "up" otherwise; "unknown" before the
 * first call. Also the breaker's state and the vendor's remaining allowance, as last told.
 */

/** A vendor's recent health. */
export interface VendorHealth {
  name: string;
  status: 'up' | 'degraded' | 'down' | 'unknown';
  latencyP50Ms: number | null;
  calls: number;
  /** The transport's circuit breaker, once it has one. */
  circuit?: 'closed' | 'half-open' | 'open';
  /** Requests left in the vendor's allowance as its last answer said, where it says (Salesforce). */
  rateLimitRemaining?: number;
}

const KEEP = 200;

interface Recent {
  outcomes: string[];
  latencies: number[];
}

const recent = new Map<string, Recent>();
const circuits = new Map<string, 'closed' | 'half-open' | 'open'>();
const allowance = new Map<string, number>();

/** Notes a change of the vendor's circuit breaker (the metrics recorder calls this). */
export function noteVendorCircuit(vendor: string, state: 'closed' | 'half-open' | 'open'): void {
  circuits.set(vendor, state);
}

/** Notes the vendor's remaining allowance (the metrics recorder calls this). */
export function noteVendorRateLimit(vendor: string, remaining: number): void {
  allowance.set(vendor, remaining);
}

/** Notes one call (the metrics recorder calls this). */
export function noteVendorCall(vendor: string, outcome: string, ms: number): void {
  let r = recent.get(vendor);
  if (r === undefined) recent.set(vendor, (r = { outcomes: [], latencies: [] }));
  r.outcomes.push(outcome);
  r.latencies.push(ms);
  if (r.outcomes.length > KEEP) {
    r.outcomes.shift();
    r.latencies.shift();
  }
}

/** Health of `vendor` from its recent calls. */
export function vendorHealth(vendor: string): VendorHealth {
  const extra = { ...(circuits.has(vendor) ? { circuit: circuits.get(vendor)! } : {}), ...(allowance.has(vendor) ? { rateLimitRemaining: allowance.get(vendor)! } : {}) };
  const r = recent.get(vendor);
  if (r === undefined || r.outcomes.length === 0) return { name: vendor, status: 'unknown', latencyP50Ms: null, calls: 0, ...extra };
  const last = r.outcomes.slice(-20);
  // A vendor refusing a record (validation, not-found) is answering: only its own failures count.
  const failed = last.filter((o) => o === 'transient' || o === 'unexpected' || o === 'auth').length / last.length;
  const limited = last.some((o) => o === 'rate-limited');
  const status = failed >= 0.5 || extra.circuit === 'open' ? 'down' : failed > 0 || limited || extra.circuit === 'half-open' ? 'degraded' : 'up';
  const sorted = [...r.latencies].sort((a, b) => a - b);
  return { name: vendor, status, latencyP50Ms: Math.round(sorted[Math.floor((sorted.length - 1) / 2)]! * 10) / 10, calls: r.outcomes.length, ...extra };
}

/** The vendors called so far. */
export function vendorsSeen(): string[] {
  return [...recent.keys()];
}
