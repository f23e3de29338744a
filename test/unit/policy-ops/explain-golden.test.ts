// `orka policy eval --explain` against committed expected output (text and JSON) for an allowed,
// a denied, a skipped-by-match and an evaluation-error case. UPDATE_GOLDEN=1 rewrites the files.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../../../cli/main.ts';

const GOLDEN = fileURLToPath(new URL('../../golden/explain/', import.meta.url));
const INPUTS = `${GOLDEN}inputs/`;

const cases: { name: string; exit: number; args: string[] }[] = [
  {
    name: 'allow',
    exit: 0,
    args: [
      '--resource',
      `${INPUTS}task-allowed.yaml`,
      '--agent',
      `${INPUTS}claude-agent.yaml`,
      '--policies',
      `${INPUTS}task-policies.yaml`,
      '--no-builtin',
    ],
  },
  {
    name: 'deny',
    exit: 1,
    args: [
      '--resource',
      `${INPUTS}task-denied.yaml`,
      '--agent',
      `${INPUTS}claude-agent.yaml`,
      '--policies',
      `${INPUTS}task-policies.yaml`,
      '--no-builtin',
    ],
  },
  {
    name: 'skipped-by-match',
    exit: 0,
    args: [
      '--resource',
      `${INPUTS}agent.yaml`,
      '--namespace-object',
      `${INPUTS}namespace-team-a.yaml`,
      '--policies',
      `${INPUTS}agent-policies.yaml`,
      '--task-provenance-admission-enabled=false',
    ],
  },
  {
    name: 'error',
    exit: 1,
    args: [
      '--resource',
      `${INPUTS}task-allowed.yaml`,
      '--policies',
      `${INPUTS}error-policy.yaml`,
      '--no-builtin',
    ],
  },
];

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await main(['policy', 'eval', ...args], {
    stdout: sink((text) => {
      stdout += text;
    }),
    stderr: sink((text) => {
      stderr += text;
    }),
    env: {},
  });
  return { code, stdout, stderr };
}

/** JSON goldens are compared as values: the repository's formatter may re-wrap the files. */
function compareWithGolden(file: string, actual: string): void {
  const path = `${GOLDEN}${file}`;
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    writeFileSync(path, actual);
    if (process.env.UPDATE_GOLDEN !== '1') assert.fail(`${file} did not exist; written, re-run`);
    return;
  }
  const expected = readFileSync(path, 'utf8');
  const message = `${file} differs (UPDATE_GOLDEN=1 rewrites)`;
  if (file.endsWith('.json')) assert.deepEqual(JSON.parse(actual), JSON.parse(expected), message);
  else assert.equal(actual, expected, message);
}

describe('orka policy eval --explain golden output', () => {
  for (const { name, exit, args } of cases) {
    test(`${name} (text)`, async () => {
      const result = await run([...args, '--explain']);
      assert.equal(result.stderr, '');
      assert.equal(result.code, exit);
      compareWithGolden(`${name}.txt`, result.stdout);
    });
    test(`${name} (json)`, async () => {
      const result = await run([...args, '--explain', '-o', 'json']);
      assert.equal(result.stderr, '');
      assert.equal(result.code, exit);
      const parsed = JSON.parse(result.stdout) as { allowed: boolean; explain: unknown[] };
      assert.equal(parsed.allowed, exit === 0);
      assert.ok(parsed.explain.length > 0);
      compareWithGolden(`${name}.json`, result.stdout);
    });
  }

  test('explain never changes the decision', async () => {
    for (const { args } of cases) {
      const plain = JSON.parse((await run([...args, '-o', 'json'])).stdout) as Record<
        string,
        unknown
      >;
      const explained = JSON.parse(
        (await run([...args, '--explain', '-o', 'json'])).stdout,
      ) as Record<string, unknown>;
      const { explain: _, ...contract } = explained;
      assert.deepEqual(contract, plain);
    }
  });
});
