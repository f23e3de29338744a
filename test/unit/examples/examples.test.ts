import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { validateResource } from '../../../resources/validate.ts';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
// The specification's manifests live outside the repository; where they are present, the copies
// under examples/seeds must match them.
const shared = '/work/shared/examples/seed-manifests.yaml';

describe('examples/seeds', () => {
  test('holds every manifest of the seed documents, one per file, unchanged', {
    skip: !existsSync(shared) && `${shared} is not on this machine`,
  }, () => {
    const expected = parseAllDocuments(readFileSync(shared, 'utf8')).map((d) => d.toJS());
    const files = readdirSync(join(examples, 'seeds')).sort();
    assert.deepEqual(files, expected.map((m) => `${m.metadata.name}.yaml`).sort());
    for (const manifest of expected) {
      const file = join(examples, 'seeds', `${manifest.metadata.name}.yaml`);
      assert.deepEqual(parse(readFileSync(file, 'utf8')), manifest, file);
    }
  });
});

describe('examples/invalid', () => {
  const folder = join(examples, 'invalid');
  for (const file of readdirSync(folder).sort()) {
    test(`${file} breaks exactly one rule, at its expected path`, () => {
      const text = readFileSync(join(folder, file), 'utf8');
      const expected = /^# expect: (\S+)$/m.exec(text)?.[1];
      assert.ok(expected, 'no # expect: line');
      const { errors } = validateResource(parse(text));
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0]!.path, expected);
    });
  }
});
