// Golden Jobs for the seed Tasks: each Task of the seed manifests (examples/seeds/ when the repo
// has it, else the copy beside this file) built with its seed Agent. Regenerate after a deliberate
// change with UPDATE_GOLDEN=1 and review the diff.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { buildWorkerJob, PLACEHOLDER_TASK_UID } from '../../../reconcilers/job/index.ts';
import type { Agent, Task } from '../../../resources/types.ts';
import { parseResource } from '../../../resources/validate.ts';
import { sandboxConfig } from './fixtures.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const goldenDir = join(here, 'golden');
const repoSeeds = fileURLToPath(new URL('../../../examples/seeds/', import.meta.url));

function seedFiles(): string[] {
  if (existsSync(repoSeeds)) {
    return readdirSync(repoSeeds)
      .filter((file) => /\.ya?ml$/.test(file))
      .map((file) => join(repoSeeds, file));
  }
  return [join(goldenDir, 'seed-manifests.yaml')];
}

type Manifest = { kind?: string; metadata?: { name?: string; namespace?: string; uid?: string } };

const manifests: Manifest[] = seedFiles().flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => document.toJS() as Manifest | null)
    .filter((object): object is Manifest => object !== null),
);

function admitted<T>(object: Manifest): T {
  const copy = structuredClone(object);
  copy.metadata = { namespace: 'default', ...copy.metadata };
  if (copy.kind === 'Task') copy.metadata.uid ??= PLACEHOLDER_TASK_UID;
  return parseResource(copy) as T;
}

const agents = manifests.filter((m) => m.kind === 'Agent').map((m) => admitted<Agent>(m));
const tasks = manifests.filter((m) => m.kind === 'Task').map((m) => admitted<Task>(m));
const sandboxSettings = {
  ...sandboxConfig,
  sandbox: {
    ...sandboxConfig.sandbox,
    routerUrl: 'http://agent-sandbox-router.agent-sandbox-system.svc:8080',
  },
};

describe('golden Jobs of the seed Tasks', () => {
  test('the seed manifests hold Tasks and their Agents', () => {
    assert.ok(tasks.length >= 8, `found ${tasks.length} Tasks`);
    for (const task of tasks) {
      assert.ok(agents.some((agent) => agent.metadata?.name === task.spec.agentRef?.name));
    }
  });

  for (const task of tasks) {
    const name = task.metadata!.name!;
    test(name, () => {
      const agent = agents.find(
        (candidate) => candidate.metadata?.name === task.spec.agentRef?.name,
      );
      const rendered = stringify(buildWorkerJob(task, agent, sandboxSettings));
      const file = join(goldenDir, `${name}.job.yaml`);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, rendered);
      assert.ok(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1`);
      assert.equal(rendered, readFileSync(file, 'utf8'));
    });
  }
});
