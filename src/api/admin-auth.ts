/**
 * Guard of the admin API: API keys with roles (src/security/), read routes for viewers, actions
 * (replay, discard, retry, cancel, start) for operators, approve/reject for approvers, a per-key
 * rate limit, and an audit-log entry for every action that succeeds. `admin.token` keeps working as a bootstrap key with the admin role; with
 * neither a token nor any key issued (a fresh install), loopback callers are admitted as admin —
 * the explicit development fallback — and the network is refused.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import type { Store } from '../store/store.ts';
import { REPLAYED_HEADER } from './idempotency/idempotency-hook.ts';
import { ApiKeys } from '../security/api-keys.ts';
import { AuditLog } from '../security/audit-log.ts';
import { principalOf } from '../security/principal.ts';
import { KeyRateLimiter, rateLimitHook } from '../security/rate-limit.ts';
import { requireRole } from '../security/require-role.ts';
import type { Role } from '../security/roles.ts';

// Decisions on approvals need the approver role, whichever resource they are on.
const APPROVER_ROUTE = /\/(approve|reject)$/;
// Bodies of these routes may carry credentials; their audit entries leave the body out.
const SENSITIVE_ROUTE = /^\/admin\/(secrets|keys)\b/;

/**
 * The role a request needs: what the route declares (`config: { role }`), else approver for
 * approve/reject, viewer for reads, operator for any other change.
 */
export function roleForRequest(req: FastifyRequest): Role {
  const declared = (req.routeOptions.config as { role?: Role } | undefined)?.role;
  if (declared !== undefined) return declared;
  if (req.method === 'GET' || req.method === 'HEAD') return 'viewer';
  return APPROVER_ROUTE.test(req.routeOptions.url ?? req.url.split('?')[0] ?? '') ? 'approver' : 'operator';
}

/** The audit action of a route: `/admin/dead-letters/:id/replay` → `dead-letter.replay`, `POST /admin/runs` → `run.create`. */
export function auditAction(method: string, route: string): string {
  const parts = route.replace(/^\/admin\//, '').split('/').filter((p) => p !== '' && !p.startsWith(':'));
  const resource = (parts[0] ?? 'admin').replace(/s$/, '');
  const verb = parts.length > 1 ? parts.slice(1).join('.') : method === 'POST' ? 'create' : method === 'DELETE' ? 'delete' : 'update';
  return `${resource}.${verb}`;
}

/**
 * Adds the guard, the rate limit and the action audit to the admin scope `admin`; `keys` and
 * `audit` are shared with the rest of the server when given (one key cache for every scope).
 */
export function protectAdminScope(admin: FastifyInstance, deps: { config: Config; store: Store; clock: Clock; keys?: ApiKeys; audit?: AuditLog }): void {
  const audit = deps.audit ?? new AuditLog(deps.store, deps.clock);
  const keys = deps.keys ?? new ApiKeys(deps.store, audit, deps.clock);
  admin.addHook('onRequest', requireRole({ keys, bootstrapToken: deps.config.admin.token }, roleForRequest));
  admin.addHook('onRequest', rateLimitHook(new KeyRateLimiter(deps.config.admin.limits, deps.clock)));
  admin.addHook('onSend', auditActions(audit));
}

// Each successful state change through the API is written to the audit log before the answer leaves.
function auditActions(audit: AuditLog) {
  return async (req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    if (req.method === 'GET' || req.method === 'HEAD' || reply.statusCode >= 300) return payload;
    // An Idempotency-Key replay changed nothing: the first answer was audited.
    if (reply.getHeader(REPLAYED_HEADER) !== undefined) return payload;
    const route = req.routeOptions.url ?? req.url.split('?')[0] ?? req.url;
    await audit.append({
      actor: principalOf(req)?.actor ?? 'unknown',
      action: auditAction(req.method, route),
      target: req.url.split('?')[0] ?? req.url,
      before: SENSITIVE_ROUTE.test(route) ? null : (req.body ?? null),
      after: typeof payload === 'string' && !SENSITIVE_ROUTE.test(route) ? safeParse(payload) : null,
    });
    return payload;
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 1000);
  }
}
