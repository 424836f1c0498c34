/**
 * Serves the operations console (web/, built by Vite into web/dist) at `/console`: hashed assets
 * cached for a year, `index.html` never cached, and every other path under `/console/` answered
 * with `index.html` so the browser's router can open any screen from a bookmark or a reload.
 * Without a build the page says how to make one.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where the built console is. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

// The bundle loads only its own files; API calls go to this same origin.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Registers `/console` and `/console/*` on `app`. */
export async function registerConsole(app: FastifyInstance, root: string = CONSOLE_DIST): Promise<void> {
  await app.register(fastifyStatic, { root, serve: false });
  const built = (): boolean => existsSync(path.join(root, 'index.html'));

  const index = (reply: FastifyReply) => {
    if (!built()) {
      return reply
        .type('text/html; charset=utf-8')
        .send('<!doctype html><title>Interlock console</title><p>The console is not built: run <code>npm run build:web</code> (<code>npm start</code> builds it when web/ changed).</p>\n');
    }
    return reply.header('cache-control', 'no-cache').header('content-security-policy', CSP).sendFile('index.html', { cacheControl: false });
  };

  app.get('/console', { schema: { hide: true } }, (_req, reply) => reply.redirect('/console/'));
  app.get<{ Params: { '*': string } }>('/console/*', { schema: { hide: true } }, (req, reply) => {
    const rel = req.params['*'];
    const file = path.resolve(root, rel);
    // A file of the build (never a path out of it) is sent as is; anything else is a screen.
    if (rel !== '' && file.startsWith(root) && existsSync(file) && statSync(file).isFile()) {
      const hashed = rel.startsWith('assets/');
      return reply.sendFile(rel, { cacheControl: true, maxAge: hashed ? 31_536_000_000 : 0, immutable: hashed });
    }
    if (rel.startsWith('assets/')) return reply.callNotFound();
    return index(reply);
  });
}
