/**
 * Body parsing the way the REST vendors behave: form bodies for token endpoints, and JSON that
 * tolerates an empty body (bodiless GET and DELETE requests that still say application/json).
 * Malformed JSON becomes the vendor's own error, given by `invalidJson`.
 */
import type { FastifyInstance } from 'fastify';

/** Registers the form and lenient JSON parsers on a vendor's route scope. */
export function acceptVendorBodies(app: FastifyInstance, invalidJson: (detail: string) => Error): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(invalidJson(err instanceof Error ? err.message : 'parse error'), undefined);
    }
  });
}
