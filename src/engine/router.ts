/**
 * Routing: turns one stored inbound event into the outbound messages its source's routes
 * produce. Expressions (JSONata) are compiled once at start, never per event.
 */
import jsonata from 'jsonata';
import { permanentError, validationError } from '../core/errors.ts';
import type { SourceConfig } from '../core/config.ts';
import { withTraceparent } from '../observability/tracing.ts';
import { idempotencyKey, type OutboundMessage } from './outbox.ts';
import { compileTransform, type Transform } from './transform.ts';

/** A stored inbound event, as the router reads it. */
export interface StoredEvent {
  id: number;
  source: string;
  eventId: string;
  body: string;
  /** `body` parsed already (by the webhook intake), if it was; otherwise the router parses it. */
  parsed?: unknown;
  /** The trace its messages continue (the route span's); without it, the active span's (if any). */
  traceparent?: string | undefined;
}

interface CompiledRoute {
  index: number;
  destination: string;
  key: ((body: unknown) => unknown) | undefined;
  transform: Transform | undefined;
  when: jsonata.Expression | undefined;
}

/** Routes of every source, compiled. */
export class Router {
  readonly #routes = new Map<string, CompiledRoute[]>();

  /**
   * @param flowSources sources whose events only start or resume flows (a connector's trigger,
   *   such as Salesforce CDC): known, with no routes, and not exposed as webhooks
   */
  constructor(sources: Readonly<Record<string, SourceConfig>>, flowSources: Iterable<string> = []) {
    for (const name of flowSources) this.#routes.set(name, []);
    for (const [name, source] of Object.entries(sources)) {
      this.#routes.set(
        name,
        source.routes.map((r, index) => ({
          index,
          destination: r.destination,
          key: r.key === undefined ? undefined : pathGetter(r.key),
          transform: r.transform === undefined ? undefined : compile(compileTransform, r.transform, `sources.${name}.routes.${index}.transform`),
          when: r.when === undefined ? undefined : compile(jsonata, r.when, `sources.${name}.routes.${index}.when`),
        })),
      );
    }
  }

  /** Whether `source` is configured. */
  has(source: string): boolean {
    return this.#routes.has(source);
  }

  /** The messages `event` causes; throws a `permanent` error when a route cannot apply. */
  async route(event: StoredEvent): Promise<OutboundMessage[]> {
    const routes = this.#routes.get(event.source);
    if (routes === undefined) throw permanentError(`no source named "${event.source}" is configured`);
    const body = event.parsed !== undefined ? event.parsed : (JSON.parse(event.body) as unknown);
    const messages: OutboundMessage[] = [];
    for (const r of routes) {
      try {
        if (r.when !== undefined && (await r.when.evaluate(body)) !== true) continue;
        // The fast path of a transform answers synchronously: no await (and microtask) for it.
        const transformed = r.transform?.evaluate(body);
        const payload = r.transform === undefined ? event.body : JSON.stringify(transformed instanceof Promise ? await transformed : transformed);
        if (payload === undefined) throw new Error('the transform produced no value');
        const key = idempotencyKey(event.source, event.eventId, r.index, r.destination);
        const businessKey = r.key?.(body);
        // PostgreSQL text cannot hold a NUL: this event is refused alone, not the batch it is written in.
        if (typeof businessKey === 'string' && businessKey.includes('\u0000')) throw new Error('the business key contains a NUL character');
        messages.push({
          destination: r.destination,
          key: businessKey === undefined || businessKey === null ? key : String(businessKey),
          idempotencyKey: key,
          payload,
          headers: event.traceparent === undefined ? withTraceparent({ 'x-interlock-source': event.source, 'x-interlock-event-id': event.eventId }) : { 'x-interlock-source': event.source, 'x-interlock-event-id': event.eventId, traceparent: event.traceparent },
          source: event.source,
          inboxId: event.id,
        });
      } catch (err) {
        throw permanentError(`route ${r.index} of source "${event.source}" failed: ${(err as Error).message}`, { cause: err });
      }
    }
    return messages;
  }
}

function compile<T>(compiler: (expression: string) => T, expression: string, key: string): T {
  try {
    return compiler(expression);
  } catch (err) {
    throw validationError(`config: key "${key}" is not a valid JSONata expression: ${(err as Error).message}`);
  }
}

/** A getter for a dotted path (`order.id`, `data.object.id`); refuses prototype keys. */
export function pathGetter(path: string): (value: unknown) => unknown {
  const parts = path.replace(/^\$\.?/, '').split('.').filter(Boolean);
  if (parts.some((p) => p === '__proto__' || p === 'constructor' || p === 'prototype')) {
    throw validationError(`path "${path}" uses a forbidden segment`);
  }
  return (value) => {
    let v: unknown = value;
    for (const p of parts) {
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, p)) return undefined;
      v = (v as Record<string, unknown>)[p];
    }
    return v;
  };
}
