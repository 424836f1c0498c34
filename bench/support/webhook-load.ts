/**
 * The pipeline benchmarks' load generator: `connections` kept-alive HTTP/1.1 connections, each
 * with one webhook in flight at a time (no pipelining), for `seconds`, optionally paced to `rate`
 * requests/s overall. Each request's body is made just before it is sent (a fresh event id, a
 * send-time stamp for end-to-end latency).
 *
 * It replaces autocannon, which shares the 2 cores with Interlock and the sink: autocannon rebuilds
 * each request through its request templates and parses answers with a JavaScript HTTP parser,
 * about 130 µs of CPU per request on this machine against 85 µs here, where undici's
 * `dispatch` sends it (its wasm llhttp parser reads the answer; nothing of the body is kept). The
 * work asked of the server per request is the same: a POST with a JSON body, answered and counted.
 */
import { Pool, type Dispatcher } from 'undici';

/** What the load did. */
export interface LoadResult {
  /** Requests answered 2xx. */
  ok: number;
  /** Requests answered with another status. */
  failed: number;
  /** Requests that got no answer (connection errors). */
  errors: number;
}

/** Options of {@link driveWebhooks}. */
export interface LoadOptions {
  /** Origin and path, e.g. `http://127.0.0.1:3000/hooks/bench`. */
  url: string;
  connections: number;
  seconds: number;
  /** Requests per second over all connections; as fast as answers come when absent. */
  rate?: number | undefined;
  /** The body of the `n`-th request (from 1), made just before it is sent. */
  body: (n: number) => string;
}

/** Sends webhooks as {@link LoadOptions} say; resolves when the time is up and every answer is in. */
export async function driveWebhooks(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, { connections: options.connections, pipelining: 1 });
  const result: LoadResult = { ok: 0, failed: 0, errors: 0 };
  const began = performance.now();
  const end = began + options.seconds * 1000;
  let sent = 0;
  const path = url.pathname + url.search;
  const headers = ['content-type', 'application/json'];

  // One loop per connection: send, wait for the whole answer, send the next.
  const loop = async (): Promise<void> => {
    for (;;) {
      const n = ++sent;
      if (options.rate !== undefined) {
        // Request n is due at its slot in an even schedule over all connections.
        const due = began + ((n - 1) * 1000) / options.rate;
        if (due >= end) return;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      } else if (performance.now() >= end) {
        return;
      }
      const status = await send(pool, { origin: url.origin, path, method: 'POST', headers, body: options.body(n) });
      if (status === 0) result.errors += 1;
      else if (status >= 200 && status < 300) result.ok += 1;
      else result.failed += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, loop));
  } finally {
    await pool.close();
  }
  return result;
}

/** Sends one request; resolves to its status once the answer is read (0 on a connection error). */
function send(pool: Pool, request: Dispatcher.DispatchOptions): Promise<number> {
  return new Promise((resolve) => {
    let status = 0;
    pool.dispatch(request, {
      onConnect: () => undefined,
      onHeaders: (code) => {
        status = code;
        return true;
      },
      onData: () => true,
      onComplete: () => resolve(status),
      onError: () => resolve(0),
    });
  });
}
