/**
 * The sandbox's `$filter` parser: precedence of and/or/not, parentheses, escaped quotes, null,
 * GUID and date literals, case-insensitive strings, and a 400 naming the problem.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataverseError } from '../errors.ts';
import { parseFilter } from './filter.ts';

const props = new Set(['name', 'revenue', 'closedate', '_parentid_value', 'active']);
const filter = (text: string) => parseFilter(text, (n) => props.has(n), 'account');
const rows = [
  { name: "O'Brien Ltd", revenue: 10, closedate: '2026-01-10', _parentid_value: null, active: true },
  { name: 'Contoso', revenue: 500, closedate: '2026-03-01', _parentid_value: 'a1b2c3d4-0000-4000-a000-000000000001', active: false },
  { name: 'Fabrikam', revenue: null, closedate: null, _parentid_value: null, active: true },
];
const names = (text: string): string[] => rows.filter(filter(text)).map((r) => r.name);

describe('sandbox $filter', () => {
  it('binds and tighter than or, and not to the next term', () => {
    assert.deepEqual(names("name eq 'Fabrikam' or revenue gt 100 and active eq false"), ['Contoso', 'Fabrikam']);
    assert.deepEqual(names("(name eq 'Fabrikam' or revenue gt 100) and active eq true"), ['Fabrikam']);
    assert.deepEqual(names('not (active eq true)'), ['Contoso']);
  });

  it('reads escaped quotes, null, GUIDs and dates, and compares strings without case', () => {
    assert.deepEqual(names("name eq 'o''brien ltd'"), ["O'Brien Ltd"]);
    assert.deepEqual(names('_parentid_value eq null'), ["O'Brien Ltd", 'Fabrikam']);
    assert.deepEqual(names('_parentid_value eq A1B2C3D4-0000-4000-A000-000000000001'), ['Contoso']);
    assert.deepEqual(names('closedate lt 2026-02-01'), ["O'Brien Ltd"]);
    assert.deepEqual(names("endswith(name,'KAM') or contains(name,'brien')"), ["O'Brien Ltd", 'Fabrikam']);
    assert.deepEqual(names('revenue ge 10 and revenue le 10'), ["O'Brien Ltd"]);
  });

  it('answers 400 for an unknown property or a malformed expression', () => {
    assert.throws(() => filter("nosuch eq 'x'"), (e) => e instanceof DataverseError && e.status === 400 && /Could not find a property named 'nosuch'/.test(e.message));
    for (const bad of ['name eq', "name eq 'x' and", "name like 'x'", "(name eq 'x'", "name eq 'unterminated"]) {
      assert.throws(() => filter(bad), (e) => e instanceof DataverseError && e.status === 400, bad);
    }
  });
});
