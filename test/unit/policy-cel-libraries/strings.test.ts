// The cel-spec conformance suite `string_ext` (the tests cel-go's strings extension is held to),
// read from @bufbuild/cel-spec, run through cel-js plus registerKubernetesLibraries.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tests as conformance } from '@bufbuild/cel-spec/testdata/conformance.js';
import { KUBERNETES_METHOD_REWRITES } from '../../../policy/cel/libraries/index.ts';
import { type Row, runRow, summary } from './harness.ts';

interface Serialized {
  name?: string;
  expr: string;
  value?: { stringValue?: string; int64Value?: string };
  evalError?: unknown;
  typeEnv?: { name: string; ident: { type: { primitive: string } } }[];
  bindings?: Record<string, { value: { stringValue: string } }>;
}

function toRow(t: Serialized): Row {
  const types = t.typeEnv
    ? Object.fromEntries(t.typeEnv.map((d) => [d.name, d.ident.type.primitive.toLowerCase()]))
    : undefined;
  const vars = t.bindings
    ? Object.fromEntries(Object.entries(t.bindings).map(([k, v]) => [k, v.value.stringValue]))
    : undefined;
  const base = { name: t.name, expr: t.expr, ...(types && { types }), ...(vars && { vars }) };
  if (t.evalError) return { ...base, error: true };
  if (t.value?.stringValue !== undefined) return { ...base, value: t.value.stringValue };
  if (t.value?.int64Value !== undefined) return { ...base, value: BigInt(t.value.int64Value) };
  return base;
}

/** Rewrites built-in method calls to the Kubernetes-exact replacements, as the engine does. */
function rewrite(expr: string): string {
  let out = expr;
  for (const [from, to] of KUBERNETES_METHOD_REWRITES) out = out.replaceAll(`.${from}(`, `.${to}(`);
  return out;
}

// Rows that fail against cel-js's own lowerAscii/upperAscii/trim and pass once rewritten.
const BUILT_IN_DEVIATIONS = new Set([
  'ascii_casing/lowerascii_unicode',
  'ascii_casing/lowerascii_unicode_with_space',
  'ascii_casing/upperascii_unicode',
  'trim/unicode_space_chars_1',
  'trim/unicode_no_trim',
]);

const suite = conformance.suites?.find((s) => s.name === 'string_ext');
assert.ok(suite?.suites, 'cel-spec string_ext suite present');

describe('strings extension: cel-spec string_ext', () => {
  let direct = 0;
  let viaRewrite = 0;
  let total = 0;
  let notApplicable = 0;
  const deviations: string[] = [];
  for (const section of suite.suites ?? []) {
    for (const raw of section.tests ?? []) {
      const t = raw.original as unknown as Serialized;
      const id = `${section.name}/${t.name}`;
      if (t.expr.includes('cel.expr.conformance')) {
        notApplicable++;
        continue;
      }
      total++;
      test(id, () => {
        const row = toRow(t);
        const plain = runRow(row);
        if (plain.ok) {
          direct++;
          assert.ok(!BUILT_IN_DEVIATIONS.has(id), `${id} now passes without the rewrite`);
          return;
        }
        deviations.push(id);
        const rewritten = runRow({ ...row, expr: rewrite(row.expr) });
        assert.ok(rewritten.ok, `${row.expr}: ${rewritten.ok ? '' : rewritten.reason}`);
        assert.ok(BUILT_IN_DEVIATIONS.has(id), `${id} fails directly: ${plain.reason}`);
        viaRewrite++;
      });
    }
  }
  test('summary', () => {
    console.log(
      summary(
        'strings',
        direct + viaRewrite,
        total,
        `${direct} directly, ${viaRewrite} only via KUBERNETES_METHOD_REWRITES; ${notApplicable} proto rows n/a`,
      ),
    );
    assert.deepEqual(new Set(deviations), BUILT_IN_DEVIATIONS);
    assert.equal(direct + viaRewrite, total);
  });
});
