// The admission chain validates an object it has just defaulted without defaulting it again
// (validateOwnedResource's objectDefaulted). That is only sound because defaulting is idempotent:
// checked here on every example manifest, valid and invalid, and on variants with a null or an
// empty object at each of their fields (nulls are pruned, empty objects get nested defaults).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { forSchemaValidation } from '../../../policy/chain/plain-json.ts';
import { applyDefaults } from '../../../resources/defaults.ts';
import { kindOf } from '../../../resources/kinds.ts';
import { validateOwnedResource } from '../../../resources/validate.ts';

type Json = Record<string, unknown>;

const manifests: { name: string; object: Json }[] = [];
for (const folder of ['seeds', 'invalid', 'policies']) {
  const path = fileURLToPath(new URL(`../../../examples/${folder}/`, import.meta.url));
  for (const file of readdirSync(path).sort()) {
    if (!file.endsWith('.yaml')) continue;
    parseAllDocuments(readFileSync(join(path, file), 'utf8')).forEach((document, i) => {
      const object = document.toJS() as Json | null;
      if (object && kindOf(object)) manifests.push({ name: `${folder}/${file}#${i}`, object });
    });
  }
}

/** The object with `replacement` at one field path, for every field path it has. */
function* variants(object: Json, replacement: () => unknown): Generator<[string, Json]> {
  function* walk(value: unknown, path: string[]): Generator<string[]> {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, member] of Object.entries(value)) {
      yield [...path, key];
      yield* walk(member, [...path, key]);
    }
  }
  for (const path of walk(object, [])) {
    const copy = structuredClone(object);
    let parent: Json = copy;
    for (const key of path.slice(0, -1)) parent = parent[key] as Json;
    parent[path.at(-1)!] = replacement();
    yield [path.join('.'), copy];
  }
}

const cases: [string, Json][] = [];
for (const { name, object } of manifests) {
  cases.push([name, object]);
  for (const [replacement, label] of [
    [() => null, 'null'],
    [() => ({}), '{}'],
  ] as const) {
    for (const [path, variant] of variants(object, replacement)) {
      // a variant without its apiVersion or kind is no Orka resource: nothing is defaulted
      if (kindOf(variant)) cases.push([`${name} ${path}=${label}`, variant]);
    }
  }
}

describe('defaulting is idempotent, so a defaulted object is validated without defaulting it again', () => {
  test('the examples and their variants are many, valid and invalid', () => {
    assert.ok(manifests.length >= 20, `${manifests.length} manifests`);
    assert.ok(cases.length >= 500, `${cases.length} cases`);
    const verdicts = new Set(
      cases.map(([, object]) => validateOwnedResource(structuredClone(object)).valid),
    );
    assert.deepEqual([...verdicts].sort(), [false, true]);
  });

  test('defaulting a defaulted object changes nothing', () => {
    for (const [name, object] of cases) {
      const once = applyDefaults(object);
      assert.deepEqual(applyDefaults(once), once, name);
    }
  });

  test('validating a defaulted object with objectDefaulted gives the same verdict and errors', () => {
    for (const [name, object] of cases) {
      const defaulted = applyDefaults(object);
      const again = validateOwnedResource(forSchemaValidation(defaulted));
      const skipped = validateOwnedResource(forSchemaValidation(defaulted), undefined, true);
      assert.deepEqual(skipped, again, name);
    }
  });
});
