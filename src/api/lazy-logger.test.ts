import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { lazyChildLogger, withLazyChildren } from './lazy-logger.ts';

function capture(count = true): { log: FastifyBaseLogger; lines: () => Record<string, unknown>[]; children: () => number } {
  const out: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (out.push(chunk.toString()), done()) });
  const log = pino({ level: 'info' }, stream);
  let children = 0;
  const child = log.child.bind(log);
  // Counting replaces `child` on the root, which pino's children inherit: only where no grandchild is made.
  if (count) (log as { child: typeof child }).child = ((...args: Parameters<typeof child>) => (children++, child(...args))) as typeof child;
  return { log: log as unknown as FastifyBaseLogger, lines: () => out.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), children: () => children };
}

test('a request logger makes no child until something logs, then logs with the request bindings', () => {
  const { log, lines, children } = capture();
  const req = lazyChildLogger(log, { reqId: 'req-7' }, {});
  assert.equal(children(), 0);
  req.error({ code: 'E1' }, 'unexpected error');
  req.info('second');
  req.debug('below the level');
  assert.equal(children(), 1, 'one child, made on first use');
  const logged = lines();
  assert.equal(logged.length, 2);
  assert.deepEqual(logged.map((l) => [l['reqId'], l['msg']]), [['req-7', 'unexpected error'], ['req-7', 'second']]);
  assert.equal(logged[0]?.['code'], 'E1');
  assert.equal(req.level, 'info');
});

test('a child of a request logger carries both sets of bindings', () => {
  const { log, lines } = capture(false);
  lazyChildLogger(log, { reqId: 'req-8' }, {}).child({ part: 'x' }).warn('w');
  assert.deepEqual([lines()[0]?.['reqId'], lines()[0]?.['part']], ['req-8', 'x']);
});

test('a logger with lazy children logs as the logger does, and its children are made on first use', () => {
  const { log, lines, children } = capture();
  const server = withLazyChildren(log);
  server.warn('from the server');
  const req = server.child({ reqId: 'req-9' });
  assert.equal(children(), 0);
  req.error('from the request');
  assert.equal(children(), 1);
  assert.equal(server.level, 'info');
  assert.deepEqual(lines().map((l) => [l['reqId'], l['msg']]), [[undefined, 'from the server'], ['req-9', 'from the request']]);
});

test('a child of a lazy child is lazy too: no logger is made per request under a plugin with its own logger', () => {
  const counted = capture();
  const scope = withLazyChildren(counted.log).child({ plugin: 'hooks' }, { level: 'info' });
  for (let i = 0; i < 3; i++) scope.child({ reqId: `req-${i}` });
  assert.equal(counted.children(), 0);
  // Logged through (counting off: it would make grandchildren children of the root).
  const { log, lines } = capture(false);
  const requests = Array.from({ length: 3 }, (_, i) => withLazyChildren(log).child({ plugin: 'hooks' }).child({ reqId: `req-${i}` }));
  requests[1]!.error('from the second request');
  assert.deepEqual(lines().map((l) => [l['plugin'], l['reqId'], l['msg']]), [['hooks', 'req-1', 'from the second request']]);
});
