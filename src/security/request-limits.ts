/**
 * Request limits for every HTTP server of Interlock: body size, JSON nesting depth, header size
 * and the time a client has to send its request. Size, header and time limits are server
 * options ({@link serverLimitOptions}); the depth limit replaces Fastify's JSON parser with one
 * that counts nesting before parsing, so a hostile `[[[[…]]]]` costs one linear scan.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validationError } from '../core/errors.ts';

/** The limits, from the `server` section of the config. */
export interface RequestLimits {
  /** Largest body, bytes. */
  bodyLimit: number;
  /** Largest request head, bytes (Node's `maxHeaderSize`; larger → 431). */
  maxHeaderSize: number;
  /** Deepest JSON nesting accepted. */
  jsonDepth: number;
  /** Time to receive a whole request, ms (Node's `requestTimeout`; slower → 408). */
  requestTimeoutMs: number;
}

/** Fastify constructor options that enforce the size, header and time limits. */
export function serverLimitOptions(limits: RequestLimits): { bodyLimit: number; requestTimeout: number; http: { maxHeaderSize: number } } {
  return { bodyLimit: limits.bodyLimit, requestTimeout: limits.requestTimeoutMs, http: { maxHeaderSize: limits.maxHeaderSize } };
}

/** Whether `text` nests arrays and objects deeper than `max` (brackets inside strings do not count). */
export function jsonDepthExceeds(text: string, max: number): boolean {
  // Nesting deeper than `max` takes more than `max` brackets: short bodies cannot, and are not scanned.
  if (text.length <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** The error a too-deep body answers with (400, type `json-too-deep`). */
export function jsonTooDeep(max: number): Error {
  return validationError(`request body nests JSON deeper than ${max} levels`, { type: 'json-too-deep', details: { maxDepth: max } });
}

/** Replaces `app`'s JSON parser with one that refuses bodies nested deeper than `max`. */
export function limitJsonDepth(app: FastifyInstance, max: number): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req: FastifyRequest, body: string | Buffer, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonDepthExceeds(text, max)) return done(jsonTooDeep(max), undefined);
    parse(req, text, done);
  });
}
