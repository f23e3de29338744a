import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { admitPolicy } from '../../../policy/admission-policy/admit-policy.ts';
import { createExpressionCompiler } from '../../../policy/admission-policy/expression-compiler.ts';
import { BUILTIN_ORDER, builtinDocuments, compileBuiltins } from '../../../policy/builtin/index.ts';
import type { KubeObject } from '../../../policy/chain/request.ts';
import { admitRequest, agent as agentFixture, CONTROLLER, task } from './harness.ts';

const BUILTIN_DIR = fileURLToPath(new URL('../../../policy/builtin/', import.meta.url));
const SEEDS_DIR = fileURLToPath(new URL('../../../examples/seeds/', import.meta.url));

const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
const documentsOf = (path: string) =>
  parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as KubeObject);
const nameOf = (object: KubeObject) => (object.metadata as { name: string }).name;

describe('policy/builtin files', () => {
  const compiler = createExpressionCompiler();

  test('there is one file per built-in, named after its policy', () => {
    const files = yamlFiles(BUILTIN_DIR);
    assert.deepEqual(
      files,
      [...BUILTIN_ORDER].sort().map((name) => `${name}.yaml`),
    );
    for (const file of files) {
      const documents = documentsOf(`${BUILTIN_DIR}${file}`);
      assert.equal(documents.length, 1, file);
      assert.equal(`${nameOf(documents[0]!)}.yaml`, file);
    }
  });

  for (const document of builtinDocuments()) {
    const name = nameOf(document as KubeObject);
    test(`${name} passes self-admission with no problem reported`, () => {
      assert.deepEqual(admitPolicy(document, compiler), { allowed: true, errors: [] });
    });
    test(`${name} describes itself for orka policy show`, () => {
      const annotations = (document as { metadata: { annotations?: Record<string, string> } })
        .metadata.annotations;
      assert.match(annotations?.['policy.orka.ai/description'] ?? '', /\w{3,}/);
    });
  }

  test('the built-ins compile in their fixed order, Deny and Fail', () => {
    const policies = compileBuiltins(compiler);
    assert.deepEqual(
      policies.map((p) => p.name),
      BUILTIN_ORDER,
    );
    for (const policy of policies) {
      assert.deepEqual(policy.validationActions, ['Deny'], policy.name);
      assert.equal(policy.failurePolicy, 'Fail', policy.name);
      assert.equal(policy.builtin, true, policy.name);
    }
  });
});

describe('the seed manifests under the built-ins', () => {
  const seeds = yamlFiles(SEEDS_DIR).flatMap((file) => documentsOf(`${SEEDS_DIR}${file}`));
  const agents = new Map(seeds.filter((s) => s.kind === 'Agent').map((a) => [nameOf(a), a]));
  const tasks = seeds.filter((s) => s.kind === 'Task');
  const requestsSandbox = (object: KubeObject) =>
    (object.spec as { execution?: { workspace?: { enabled?: boolean } } }).execution?.workspace
      ?.enabled === true;
  const agentOf = (object: KubeObject) =>
    agents.get((object.spec as { agentRef: { name: string } }).agentRef.name) ?? null;

  test('the seeds hold Agents and Tasks', () => {
    assert.ok(agents.size >= 3 && tasks.length >= 5);
  });

  for (const seed of agents.values()) {
    test(`Agent ${nameOf(seed)} is admitted`, () => {
      assert.deepEqual(admitRequest({ object: seed }).denials, []);
    });
  }

  for (const seed of tasks.filter((t) => !requestsSandbox(t))) {
    test(`Task ${nameOf(seed)} is admitted with its Agent and no warning`, () => {
      const decision = admitRequest({ object: seed, agent: agentOf(seed) });
      assert.deepEqual(decision.denials, []);
      assert.deepEqual(decision.warnings, []);
    });
  }

  for (const seed of tasks.filter(requestsSandbox)) {
    test(`sandbox Task ${nameOf(seed)} is refused unless the sandbox is enabled`, () => {
      const refused = admitRequest({ object: seed, agent: agentOf(seed) });
      assert.deepEqual(refused.denials, [
        {
          policy: 'orka-sandbox-workspace',
          message: 'execution workspace requires agent sandbox to be enabled',
          reason: 'Forbidden',
        },
      ]);
      assert.equal(refused.code, 403);
      const admitted = admitRequest({
        object: seed,
        agent: agentOf(seed),
        flags: { 'agent-sandbox-enabled': true },
      });
      assert.deepEqual(admitted.denials, []);
    });
  }
});

describe('denials across built-ins', () => {
  test('are reported in built-in order with their policy names', () => {
    const decision = admitRequest({
      object: task({
        metadata: { labels: { 'orka.ai/auth-profile': 'kontxt' } },
        spec: {
          agentRef: { name: 'claude-agent', namespace: 'shared' },
          execution: { workspace: { enabled: true } },
        },
      }),
      flags: { 'enforce-namespace-isolation': true },
    });
    assert.deepEqual(
      decision.denials.map((d) => `${d.policy}: ${d.message}`),
      [
        'orka-task-provenance: direct Task create cannot set Orka-managed provenance fields: metadata.labels[orka.ai/auth-profile]',
        'orka-namespace-isolation: cross-namespace agent reference not allowed when namespace isolation is enforced: agent "claude-agent" in namespace "shared", task in "team-a"',
        'orka-sandbox-workspace: execution workspace requires agent sandbox to be enabled',
      ],
    );
    assert.equal(decision.code, 403);
  });

  test('the REST API writing as the controller passes provenance and the token context', () => {
    const decision = admitRequest({
      user: CONTROLLER,
      object: task({
        metadata: { labels: { 'orka.ai/auth-profile': 'kontxt' } },
        spec: {
          requestedBy: { username: 'ci-bot', subject: 'ci-bot' },
          transaction: { profile: 'kontxt', id: 'txn-1', context: { namespace: 'team-a' } },
        },
      }),
      agent: null,
    });
    assert.deepEqual(decision.denials, []);
  });
});

describe('denial reasons', () => {
  test('security denials are 403 Forbidden, semantic ones 422 Invalid', () => {
    const forbidden = admitRequest({ object: task({ spec: { transaction: { id: 'txn-1' } } }) });
    assert.deepEqual(
      forbidden.denials.map((d) => [d.policy, d.reason]),
      [['orka-task-provenance', 'Forbidden']],
    );
    assert.equal(forbidden.code, 403);
    const invalid = admitRequest({
      object: task({
        spec: { agentRef: { name: 'codex-agent' }, agentRuntime: { allowBash: false } },
      }),
      agent: agentFixture({
        metadata: { name: 'codex-agent' },
        spec: { runtime: { type: 'codex' } },
      }),
    });
    assert.deepEqual(
      invalid.denials.map((d) => [d.policy, d.reason]),
      [['orka-task-semantics', 'Invalid']],
    );
    assert.equal(invalid.code, 422);
  });
});
