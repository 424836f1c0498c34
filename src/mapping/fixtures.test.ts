import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatCaseResult, runFixtureFolder } from './fixtures.ts';

let dir = '';
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'interlock-fixtures-'));
  writeFileSync(
    path.join(dir, 'deal.yaml'),
    'mapping: deal\nsource: { system: crm, object: Deal }\ntarget: { system: canonical, object: x }\nrecordId: Id\nfields:\n  id: Id\n  amount: { from: Amount, as: decimal }\n  lines: { each: Lines, fields: { q: { from: Q, as: decimal } } }\n',
  );
  writeFileSync(
    path.join(dir, 'back.yaml'),
    'mapping: back\nsource: { system: canonical, object: x }\ntarget: { system: crm, object: Deal }\nrecordId: id\nfields:\n  Id: id\n  Amount: { from: amount, as: integer }\n',
  );
  writeFileSync(
    path.join(dir, 'deal.fixtures.yaml'),
    [
      'mapping: deal.yaml',
      'reverse: back.yaml',
      'cases:',
      '  - name: right',
      '    input: { Id: d1, Amount: 5, Lines: [{ Q: 1 }] }',
      '    expected: { id: d1, amount: "5", lines: [{ q: "1" }] }',
      '  - name: wrong line',
      '    input: { Id: d2, Amount: 5, Lines: [{ Q: 1 }, { Q: 2 }] }',
      '    expected: { id: d2, amount: "5", lines: [{ q: "1" }, { q: "3" }] }',
      '  - name: lossy way back',
      '    input: { Id: d3, Amount: 5.5 }',
      '    expected: { id: d3, amount: "5.5", lines: [] }',
    ].join('\n'),
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('golden fixtures', () => {
  it('pass a right case and fail a wrong one with a field-level diff', async () => {
    const [right, wrong, lossy] = await runFixtureFolder(dir);
    assert.equal(right?.passed, true);
    assert.equal(wrong?.passed, false);
    assert.deepEqual(wrong?.differences, [{ path: 'lines[1].q', expected: '3', actual: '2' }]);
    assert.match(formatCaseResult(wrong!), /FAIL {2}deal\.fixtures\.yaml: wrong line: output differs from expected\n {8}lines\[1\]\.q: expected "3", got "2"/);
    // 5.5 cannot come back as an integer: the round trip catches the lossy reverse mapping.
    assert.equal(lossy?.passed, false);
    assert.match(lossy?.message ?? '', /round trip/);
  });
});
