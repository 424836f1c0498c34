/**
 * The admin API's answers as the console reads them (the server's shapes, restated: the console
 * is its own bundle and imports no server code; the browser tests catch a drift).
 */

/** `GET /admin/overview`. */
export interface Overview {
  kpis: {
    ordersBooked: number; orderAcceptanceRate: number; invoicesCreated: number;
    closedWonToErpP50Ms: number | null; closedWonToErpP95Ms: number | null;
    deadLetters: number; runsWaiting: number; openDiscrepancies: number;
  };
  slos: Array<{ name: string; description: string; objective: number; window: string; sli: number | null; errorBudgetRemaining: number | null; burnRate: number | null }>;
  systems: SystemHealth[];
  series: Array<{ name: string; unit: string; points: Array<[string, number]> }>;
}

/** One connected system's health. */
export interface SystemHealth {
  name: string;
  status: 'up' | 'degraded' | 'down' | 'unknown';
  circuit?: 'closed' | 'open' | 'half-open';
  rateLimitRemaining?: number | null;
  latencyP50Ms?: number | null;
}

/** `GET /admin/lineage/:id`. */
export interface Lineage {
  query: string;
  nodes: LineageNode[];
  edges: Array<{ from: string; to: string; relation: string }>;
  timeline: Span[];
}

/** A node of a lineage. */
export interface LineageNode {
  key: string;
  kind: string;
  system: string;
  label: string;
  at: string;
  status?: string;
  attempts?: number;
  payloadVersion?: string;
  traceId?: string;
  detail?: unknown;
}

/** A span of a trace. */
export interface Span {
  at: string;
  name: string;
  durationMs: number;
  status: 'ok' | 'error';
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

/** A run in a list. */
export interface RunSummary {
  id: number; flow: string; version: number; key: string; status: string; waitingFor: string | null;
  error: string | null; createdAt: string; updatedAt: string; endedAt: string | null; wakeAt: string | null;
}

/** A step of a run's timeline. */
export interface Step {
  name: string; kind: string; status: string; attempts: number; result: unknown; error: string | null;
  dueAt: string | null; waitingFor: unknown; startedAt: string; endedAt: string | null;
}

/** A run with its payloads and steps. */
export interface RunDetail extends RunSummary {
  input: unknown;
  output: unknown;
  steps: Step[];
}

/** A dead letter. */
export interface DeadLetter {
  id: number; kind: string; messageId: number; destination: string | null; source: string | null;
  errorClass: string; reason: string; attempts: number; lastStatus: number | null; lastResponse: string | null;
  parkedAt: string; state: 'parked' | 'replayed' | 'discarded'; resolvedAt: string | null; resolvedBy: string | null;
  message?: { key?: string; idempotencyKey?: string; payload: string; headers: Record<string, string> } | null;
}

/** A pending approval. */
export interface Approval {
  runId: number; flow: string; key: string; step: string | null; request: unknown; since: string;
}

/** A reconciliation job, run and discrepancy. */
export interface ReconcileJob { name: string; description: string; safe: string[] }
export interface ReconcileRun {
  id: number; job: string; status: string; startedAt: string; finishedAt: string | null; startedBy: string;
  read: Record<string, number>; kinds: Record<string, number>; discrepancies: number; error: string | null;
}
export interface Discrepancy {
  id: number; runId: number; kind: string; key: string; system: string; recordIds: string[]; field?: string;
  expected?: unknown; actual?: unknown; context: Record<string, string>; healStatus: string; healDetail: string | null;
}

/** The contract registry. */
export interface ContractSubject { subject: string; owner: string; kind: string; mode: string; latest: string | null }
export interface ContractVersion { subject: string; version: string; schema: Record<string, unknown>; publishedAt: number; publishedBy: string }
export interface ContractCheck {
  compatible: boolean;
  items: Array<{ subject: string; shipped: string; registered: boolean; compatible: boolean; baseVersion: string | null; breaking: unknown[]; changes: unknown[] }>;
}
