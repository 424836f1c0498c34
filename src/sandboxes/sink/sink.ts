/**
 * A recording HTTP sink: the sample destination of `npm start`, and the far end of the engine's
 * crash, ordering and retry tests and of the pipeline benchmark. It applies each idempotency key
 * once (as a well-behaved destination does) and counts attempts against effects, so "nothing
 * lost, nothing duplicated" can be checked from the outside.
 *
 * `GET /__sink/stats` counts attempts and effects; `GET /__sink/effects` lists the latest 100
 * effects. Other paths choose behaviour: `/ok` (or any other path) answers 200; `/status/<code>` answers that
 * status; `/status/429?retryAfter=<s>` adds `Retry-After`; `/flaky/<n>` fails with 503 the first
 * n attempts of each key, then succeeds; `/limited/<n>?retryAfter=<s>` answers 429 the first n
 * attempts of each key, then succeeds.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One effect applied by the sink. */
export interface SinkEffect {
  key: string;
  /** Business key header sent by Interlock, when present. */
  source: string | undefined;
  eventId: string | undefined;
  body: string;
  at: number;
}

/** A running sink. */
export interface Sink {
  readonly url: string;
  /** Requests received, including repeats and failures. */
  readonly attempts: number;
  /** Effects applied, in order: one per distinct idempotency key. */
  readonly effects: readonly SinkEffect[];
  /** Attempts per idempotency key. */
  attemptsOf(key: string): number;
  /** Times of each attempt per idempotency key. */
  attemptTimes(key: string): readonly number[];
  close(): Promise<void>;
}

/** Starts a sink on `port` (0 = any free port) of 127.0.0.1; `onEffect` sees each new effect. */
export async function startSink(options: { port?: number; host?: string; onEffect?: (e: SinkEffect) => void } = {}): Promise<Sink> {
  const effects: SinkEffect[] = [];
  const seen = new Set<string>();
  const attempts = new Map<string, number[]>();
  let total = 0;

  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      total += 1;
      const url = parseUrl(req.url ?? '/');
      const key = header(req, 'idempotency-key') ?? `anonymous-${total}`;
      const times = attempts.get(key) ?? [];
      times.push(Date.now());
      attempts.set(key, times);
      if (req.method === 'GET' && url.pathname === '/__sink/stats') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ attempts: total, effects: effects.length }));
        return;
      }
      if (req.method === 'GET' && url.pathname === '/__sink/effects') {
        // The latest effects, newest last, each body as JSON when it is (what a person looks at).
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(effects.slice(-100).map((e) => ({ ...e, body: parsed(e.body) })), null, 2));
        return;
      }
      const status = /^\/status\/(\d{3})$/.exec(url.pathname);
      if (status !== null) {
        const code = Number(status[1]);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        const retryAfter = url.searchParams.get('retryAfter');
        if (retryAfter !== null) headers['retry-after'] = retryAfter;
        res.writeHead(code, headers);
        res.end(JSON.stringify({ error: `sink answers ${code} on this path` }));
        return;
      }
      const limited = /^\/limited\/(\d+)$/.exec(url.pathname);
      if (limited !== null && times.length <= Number(limited[1])) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': url.searchParams.get('retryAfter') ?? '1' });
        res.end('{"error":"slow down"}');
        return;
      }
      const flaky = /^\/flaky\/(\d+)$/.exec(url.pathname);
      if (flaky !== null && times.length <= Number(flaky[1])) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"error":"flaky"}');
        return;
      }
      if (!seen.has(key)) {
        seen.add(key);
        const effect = { key, source: header(req, 'x-interlock-source'), eventId: header(req, 'x-interlock-event-id'), body, at: Date.now() };
        effects.push(effect);
        options.onEffect?.(effect);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    get attempts() {
      return total;
    },
    effects,
    attemptsOf: (key) => attempts.get(key)?.length ?? 0,
    attemptTimes: (key) => attempts.get(key) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// The sink's paths and queries need no normalising: one made of these characters reads the same
// as the WHATWG URL parser would read it, without building a URL per request (the pipeline bench
// sends thousands a second through here, on the cores it measures).
const PLAIN_PATH = /^\/[\w\-/]*$/;
const NO_QUERY = new URLSearchParams();

/** `url`'s path and query, as `new URL(url, base)` gives them. */
function parseUrl(url: string): { pathname: string; searchParams: URLSearchParams } {
  return PLAIN_PATH.test(url) ? { pathname: url, searchParams: NO_QUERY } : new URL(url, 'http://sink');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

/** `body` as JSON when it parses, else the text. */
function parsed(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}
