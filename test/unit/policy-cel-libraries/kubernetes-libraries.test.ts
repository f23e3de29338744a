// Every ported upstream table, one describe per library, with the pass count printed per library.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Row, runRow, summary } from './harness.ts';
import { CIDRS, FORMATS, IPS, LISTS, QUANTITY, REGEX, SETS, URLS } from './tables.ts';

const LIBRARIES: readonly [string, readonly Row[]][] = [
  ['lists', LISTS],
  ['sets', SETS],
  ['regex', REGEX],
  ['url', URLS],
  ['quantity', QUANTITY],
  ['ip', IPS],
  ['cidr', CIDRS],
  ['format', FORMATS],
];

for (const [library, rows] of LIBRARIES) {
  describe(`${library} library`, () => {
    let passed = 0;
    for (const row of rows) {
      test(row.expr, () => {
        const outcome = runRow(row);
        assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
        passed++;
      });
    }
    test('summary', () => {
      console.log(summary(library, passed, rows.length));
      assert.equal(passed, rows.length);
    });
  });
}
