import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from './config.ts';

const env = {};

describe('loadConfig', () => {
  it('applies defaults: SQLite in ./data, port 8080', () => {
    const c = loadConfig({ values: {}, env });
    assert.equal(c.store.kind, 'sqlite');
    assert.equal(c.store.sqlitePath, './data/interlock.db');
    assert.equal(c.server.port, 8080);
    assert.equal(c.worker.leaseMs, 30_000);
    assert.ok(Object.isFrozen(c.server));
  });

  it('lets an environment variable override one key', () => {
    const c = loadConfig({ values: { server: { port: 1 } }, env: { INTERLOCK_PORT: '9090', INTERLOCK_STORE: 'postgres', INTERLOCK_PG_URL: 'postgres://x@h/db' } });
    assert.equal(c.server.port, 9090);
    assert.equal(c.store.kind, 'postgres');
    assert.equal(c.store.postgresUrl, 'postgres://x@h/db');
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['a wrong type', { server: { port: 'abc' } }, /key "server.port" has "abc"; expected an integer ≥ 0 and ≤ 65535/],
    ['a value outside an enumeration', { store: { kind: 'mysql' } }, /key "store.kind" has "mysql"; expected one of "sqlite", "postgres"/],
    ['an unknown key', { sever: {} }, /unknown key "sever"/],
    ['a bad duration', { worker: { lease: '3 weeks' } }, /key "worker.lease" has "3 weeks"; expected a duration/],
    ['a missing required key', { destinations: { a: {} } }, /key "destinations.a.url" is missing/],
    ['a route to an unknown destination', { sources: { s: { eventId: { path: 'id' }, routes: [{ destination: 'nowhere' }] } } }, /key "sources.s.routes.0.destination" is "nowhere"/],
    ['an event id with neither header nor path', { sources: { s: { eventId: {} } } }, /exactly one of "header" or "path"/],
    ['a timeout longer than half the lease', { worker: { lease: '10s' }, destinations: { a: { url: 'http://x', timeout: '6s' } } }, /destinations.a.timeout.*at most half of worker.lease/],
  ];
  for (const [what, values, message] of bad) {
    it(`names the key, the value and the expectation for ${what}`, () => {
      assert.throws(() => loadConfig({ values, env }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'validation');
        assert.match(err.message, message);
        return true;
      });
    });
  }

  it('names the file and line of a YAML syntax error', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'interlock-config-'));
    const file = path.join(dir, 'interlock.yaml');
    writeFileSync(file, 'server:\n  port: 8080\n  host: [unclosed\n');
    assert.throws(() => loadConfig({ file, env }), new RegExp(`${file.replaceAll('/', '\\/')}:\\d+:\\d+`));
  });
});
