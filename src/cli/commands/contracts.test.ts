/**
 * `interlock contracts` and `interlock mapping` as CI and people run them: child processes, exit
 * codes, one-line errors.
 */
import { describe, it, before, after } from 'node:test';
import { runCli, type CliResult } from '../../../test/support/cli.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let dir = '';

function cli(args: string[]): Promise<CliResult> {
  return runCli(args, { dir });
}

const schema = (props: Record<string, unknown>, required: string[]) =>
  JSON.stringify({ type: 'object', additionalProperties: false, properties: props, required });

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'interlock-cli-'));
  writeFileSync(path.join(dir, 'v1.json'), schema({ id: { type: 'string' }, status: { enum: ['open', 'paid'] } }, ['id']));
  writeFileSync(path.join(dir, 'v2-ok.json'), schema({ id: { type: 'string' }, status: { enum: ['open', 'paid'] }, note: { type: 'string' } }, ['id']));
  writeFileSync(path.join(dir, 'v2-bad.json'), schema({ id: { type: 'string' }, status: { enum: ['open'] } }, ['id']));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('interlock contracts', () => {
  it('diff exits 0 for a compatible change and 1 for a breaking one, printing JSON pointers', async () => {
    const ok = await cli(['contracts', 'diff', path.join(dir, 'v1.json'), path.join(dir, 'v2-ok.json')]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /1 change, 0 breaking\n {2}ok {8}\/properties\/note {2}property-added/);
    const bad = await cli(['contracts', 'diff', path.join(dir, 'v1.json'), path.join(dir, 'v2-bad.json')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /BREAKING {2}\/properties\/status {2}enum-value-removed: value "paid" removed/);
    const full = await cli(['contracts', 'diff', '--mode', 'full', path.join(dir, 'v1.json'), path.join(dir, 'v2-ok.json')]);
    assert.equal(full.code, 1, 'an added field breaks forward, so full');
  });

  it('check --base gates CI on the shipped contracts against an exported bundle, no store needed', async () => {
    const bundleFile = path.join(dir, 'bundle.json');
    assert.equal((await cli(['contracts', 'export', '--out', bundleFile])).code, 0);
    const same = await cli(['contracts', 'check', '--base', bundleFile]);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    // A base where invoices had one more status: the shipped contract removed it.
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as { $defs: Record<string, { properties: { status: { anyOf: object[] } } }> };
    bundle.$defs['invoice']?.properties.status.anyOf.push({ const: 'disputed', type: 'string' });
    writeFileSync(bundleFile, JSON.stringify(bundle));
    const broken = await cli(['contracts', 'check', '--base', bundleFile]);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /BREAKING {2}\/properties\/status +enum-value-removed: value "disputed" removed/);
    assert.match(broken.stdout, /contracts: 1 subject with breaking changes/);
  });

  it('reports bad input on one line without a stack trace', async () => {
    const r = await cli(['contracts', 'diff', '--mode', 'sideways', path.join(dir, 'v1.json'), path.join(dir, 'v2-ok.json')]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'interlock: --mode must be one of backward, forward, full, none, got "sideways"\n');
    const missing = await cli(['contracts', 'diff', path.join(dir, 'nope.json'), path.join(dir, 'v1.json')]);
    assert.match(missing.stderr, /^interlock: cannot read .*nope\.json: ENOENT[^\n]*\n$/);
  });

  it('bootstraps, then runs propose → review → approve → publish against the store', async () => {
    assert.equal((await cli(['contracts', 'bootstrap', '--actor', 'ci'])).code, 0);
    const check = await cli(['contracts', 'check']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /contracts: no breaking changes/);
    const exported = path.join(dir, 'order.json');
    assert.equal((await cli(['contracts', 'export', '--out', exported])).code, 0);
    const bundle = JSON.parse(readFileSync(exported, 'utf8')) as { $defs: Record<string, { properties: Record<string, unknown> }> };
    const order = bundle.$defs['order'];
    assert.ok(order);
    order.properties['purchaseOrderNumber'] = { type: 'string' };
    writeFileSync(path.join(dir, 'order-1.1.json'), JSON.stringify(order));

    const proposed = await cli(['contracts', 'propose', 'order', '1.1.0', path.join(dir, 'order-1.1.json'), '--actor', 'alice']);
    assert.equal(proposed.code, 0, proposed.stderr);
    const id = /proposal (prop_[0-9a-f-]+): proposed/.exec(proposed.stdout)?.[1];
    assert.ok(id, proposed.stdout);
    assert.equal((await cli(['contracts', 'review', id, '--actor', 'bob', '--comment', 'ok'])).code, 0);
    const denied = await cli(['contracts', 'approve', id, '--actor', 'bob']);
    assert.equal(denied.code, 1);
    assert.equal(denied.stderr, 'interlock: bob lacks the role owner:commercial\n');
    assert.equal((await cli(['contracts', 'approve', id, '--actor', 'carol', '--role', 'owner:commercial'])).code, 0);
    const published = await cli(['contracts', 'publish', id, '--actor', 'carol', '--role', 'owner:commercial']);
    assert.equal(published.stdout, 'published order@1.1.0\n');
  });
});

describe('interlock mapping test', () => {
  it('passes the shipped Salesforce fixtures and fails a wrong fixture with a field diff', async () => {
    const ok = await cli(['mapping', 'test', 'src/connectors/salesforce/mappings']);
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.stdout, /\d+ passed, 0 failed\n$/);
    writeFileSync(path.join(dir, 'm.yaml'), 'mapping: m\nsource: { system: a, object: b }\ntarget: { system: c, object: d }\nrecordId: id\nfields:\n  n: { from: n, as: decimal }\n');
    writeFileSync(path.join(dir, 'm.fixtures.yaml'), 'mapping: m.yaml\ncases:\n  - name: n\n    input: { id: 1, n: 2 }\n    expected: { n: "3" }\n');
    const bad = await cli(['mapping', 'test', dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /FAIL {2}m\.fixtures\.yaml: n: output differs from expected\n {8}n: expected "3", got "2"\n0 passed, 1 failed\n/);
  });

  it('check compiles mapping files and names file, line and key of a broken one', async () => {
    writeFileSync(path.join(dir, 'broken.yaml'), 'mapping: b\nsource: { system: a, object: b }\ntarget: { system: c, object: d }\nrecordId: id\nfields:\n  s: { from: s, map: nowhere }\n');
    const r = await cli(['mapping', 'check', 'src/connectors/stripe/mappings/invoice-to-canonical.yaml', path.join(dir, 'broken.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^ok {4}src\/connectors\/stripe\/mappings\/invoice-to-canonical\.yaml \(stripe\.invoice-to-canonical\)\n/);
    assert.match(r.stdout, /FAIL {2}.*broken\.yaml:6:6: fields\.s: no value map named "nowhere"\n$/);
  });
});
