import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  CORE_SECTIONS,
  type ConformanceOutcome,
  KUBERNETES_STRING_EXT,
  runConformance,
} from './conformance-harness.ts';

const skipsFile = new URL('../../../policy/cel/conformance-skips.json', import.meta.url);
const skipsDocument = JSON.parse(readFileSync(skipsFile, 'utf8'));
const nodeMajor = Number(process.versions.node.split('.')[0]);
/** Fail on Node 20 (its ICU lacks numeric time-zone offsets) and pass on Node 24. */
const nodeBelow24: Record<string, string> = skipsDocument.nodeBelow24;
const skips: Record<string, string> = {
  ...skipsDocument.skips,
  ...(nodeMajor < 24 ? nodeBelow24 : {}),
};

function rate(outcomes: ConformanceOutcome[]): number {
  return outcomes.filter((o) => o.failure === undefined).length / outcomes.length;
}

function unlistedFailures(outcomes: ConformanceOutcome[]): string[] {
  return outcomes
    .filter((o) => o.failure !== undefined && !(o.id in skips))
    .map((o) => `${o.id}: ${o.failure}`);
}

const core = runConformance(CORE_SECTIONS);
const stringExt = runConformance(['string_ext'], KUBERNETES_STRING_EXT);

test('cel-spec core sections: at least 90 % pass, every failure listed with its reason', (t) => {
  const passed = core.filter((o) => o.failure === undefined).length;
  t.diagnostic(`core: ${passed}/${core.length} passed (${(rate(core) * 100).toFixed(1)} %)`);
  assert.deepEqual(unlistedFailures(core), []);
  assert.ok(rate(core) >= 0.9, `core pass rate ${rate(core)}`);
});

test('cel-spec string_ext subsections Kubernetes uses: all pass', (t) => {
  const passed = stringExt.filter((o) => o.failure === undefined).length;
  t.diagnostic(`string_ext (${KUBERNETES_STRING_EXT.join(', ')}): ${passed}/${stringExt.length}`);
  assert.ok(stringExt.length >= 60, `only ${stringExt.length} string_ext tests ran`);
  assert.deepEqual(unlistedFailures(stringExt), []);
  assert.equal(rate(stringExt), 1);
});

test(`the Node-dependent entries ${nodeMajor < 24 ? 'fail' : 'pass'} on Node ${nodeMajor}`, () => {
  const outcomes = new Map(core.map((o) => [o.id, o.failure]));
  for (const id of Object.keys(nodeBelow24)) {
    assert.ok(outcomes.has(id), `${id} did not run`);
    assert.equal(outcomes.get(id) !== undefined, nodeMajor < 24, id);
  }
});

test('the skip list holds only tests that run and fail', () => {
  const failing = new Set([...core, ...stringExt].filter((o) => o.failure).map((o) => o.id));
  assert.deepEqual(
    Object.keys(skips).filter((id) => !failing.has(id)),
    [],
    'these listed tests pass now: remove them from policy/cel/conformance-skips.json',
  );
});
