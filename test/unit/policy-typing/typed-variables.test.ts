import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compilePolicy, PolicyCompileError } from '../../../policy/admission-policy/compile.ts';
import { createExpressionCompiler } from '../../../policy/admission-policy/expression-compiler.ts';
import { compileBuiltins } from '../../../policy/builtin/index.ts';
import { createCelBudget } from '../../../policy/cel/engine.ts';
import { loadPolicies } from '../../../policy/loading.ts';

const compiler = createExpressionCompiler();
const PATH = 'spec.validations[0].expression';

const taskRule = {
  apiGroups: ['core.orka.ai'],
  apiVersions: ['*'],
  resources: ['tasks'],
  operations: ['CREATE', 'UPDATE'],
};

function policyWith(spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'policy.orka.ai/v1alpha1',
    kind: 'AdmissionPolicy',
    metadata: { name: 'typed' },
    spec: { matchConstraints: { resourceRules: [taskRule] }, ...spec },
  };
}

/** The compile problems of a policy with one validation, or [] when it compiles. */
function problemsOf(expression: string): string[] {
  try {
    compilePolicy(policyWith({ validations: [{ expression }] }), compiler);
    return [];
  } catch (error) {
    if (error instanceof PolicyCompileError) return error.problems;
    throw error;
  }
}

describe('typed variables: a misspelt field is a compile error with its position', () => {
  const refused: [string, string][] = [
    ["request.namex == 'x'", "undefined field 'namex' (line 1, column 9)"],
    ["request.kind.kindx == 'Task'", "undefined field 'kindx' (line 1, column 14)"],
    ["request.userInfo.usrname == 'a'", "undefined field 'usrname' (line 1, column 18)"],
    ["request.resource.resourcez == 'tasks'", "undefined field 'resourcez' (line 1, column 18)"],
    ["requester.group.exists(g, g == 'a')", "undefined field 'group' (line 1, column 11)"],
    ['effective.allowbash', "undefined field 'allowbash' (line 1, column 11)"],
    ['effective.maxturns > 10', "undefined field 'maxturns' (line 1, column 11)"],
    [
      'config.provenance.trustedUser.size() > 0',
      "undefined field 'trustedUser' (line 1, column 19)",
    ],
    ["config.agentSandbox.template == ''", "undefined field 'template' (line 1, column 21)"],
    ["config.controllerUser == ''", "undefined field 'controllerUser' (line 1, column 8)"],
    ['has(request.namex)', "undefined field 'namex' (line 1, column 13)"],
    [
      "request.?userInfo.?usernam.orValue('') == ''",
      "undefined field 'usernam' (line 1, column 20)",
    ],
    ["request['namex'] == ''", "undefined field 'namex' (line 1, column 9)"],
    ["true &&\n  request.namex == ''", "undefined field 'namex' (line 2, column 11)"],
  ];
  for (const [expression, problem] of refused) {
    test(expression.replace('\n', ' '), () => {
      assert.deepEqual(problemsOf(expression), [`${PATH}: ${problem}`]);
    });
  }

  const admitted = [
    "request.operation == 'CREATE' && request.name != '' && request.namespace != ''",
    "request.subResource == '' && !request.dryRun",
    "request.kind.group == 'core.orka.ai' && request.kind.version == 'v1alpha1' && request.kind.kind == 'Task'",
    "request.resource.group + request.resource.version + request.resource.resource != ''",
    "request.userInfo.username != '' && request.userInfo.uid == '' && 'x' in request.userInfo.groups",
    'request.userInfo.extra.all(k, request.userInfo.extra[k].size() > 0)',
    "requester.username != '' && requester.groups.exists(g, g == 'dev')",
    "effective.runtimeType == null || effective.runtimeType == 'claude'",
    'effective.allowedTools.size() + effective.disallowedTools.size() + effective.toolSet.size() >= 0',
    'effective.allowBash || effective.maxTurns <= 50',
    "effective.workspace == null || effective.workspace.repo != ''",
    "has(effective.execution.runtimeClassName) || effective.secretRef == null || effective.secretRef != ''",
    "config.controllerNamespace != '' && config.controllerUsername != ''",
    'config.enforceNamespaceIsolation || config.maxTasksPerNamespace >= 0',
    'config.provenance.enabled && config.provenance.trustedUsers.size() + config.provenance.trustedServiceAccounts.size() > 0',
    "config.agentSandbox.enabled || config.agentSandbox.defaultTemplate + config.agentSandbox.namespaceStrategy + config.agentSandbox.cleanupPolicy + config.agentSandbox.warmPoolPolicy != ''",
    "[{'namex': 1}].exists(request, request.namex == 1)",
    "tctx == null || tctx.anything == 'x'",
    "params == null || params.whatever == 'x'",
    "namespaceObject == null || namespaceObject.metadata.labels.team == 'a'",
  ];
  for (const expression of admitted) {
    test(`compiles: ${expression}`, () => assert.deepEqual(problemsOf(expression), []));
  }

  test('a typed field has its type: a string is not a bool', () => {
    assert.deepEqual(problemsOf('request.name'), [
      `${PATH}: the expression must evaluate to bool, but it evaluates to string (line 1, column 1)`,
    ]);
  });

  test('a mutation may return an empty list: no patches', () => {
    const policy = policyWith({ mutations: [{ expression: 'request.dryRun ? [] : []' }] });
    assert.equal(compilePolicy(policy, compiler).mutations.length, 1);
  });

  test('request is never null, as in ValidatingAdmissionPolicy', () => {
    assert.match(problemsOf('request != null')[0] ?? '', /no such overload/);
  });
});

describe('typed variables keep map semantics at run time', () => {
  const activation = {
    request: { name: 'fix', userInfo: { username: 'alice', groups: ['dev'], extra: {} } },
    requester: { username: 'alice', groups: ['dev'] },
  };
  const evaluate = (expression: string, result: 'bool' | 'any') =>
    compiler
      .compile(expression, PATH, result)
      .evaluate(activation as Record<string, unknown>, createCelBudget());

  test('a whole typed value equals the map literal with the same entries', () => {
    assert.equal(
      evaluate("dyn(requester) == {'username': 'alice', 'groups': ['dev']}", 'bool'),
      true,
    );
  });

  test('a whole typed value is returned as plain JSON, as a JSON patch value needs', () => {
    assert.deepEqual(evaluate('requester', 'any'), { username: 'alice', groups: ['dev'] });
  });
});

describe('built-in and example policies compile with no warning', () => {
  test('built-ins', () => {
    for (const policy of compileBuiltins(compiler)) {
      assert.deepEqual(policy.warnings, [], policy.name);
    }
  });

  test('examples/policies', () => {
    const folder = fileURLToPath(new URL('../../../examples/policies/', import.meta.url));
    const files = readdirSync(folder)
      .filter((file) => file.endsWith('.yaml') && !file.endsWith('.test.yaml'))
      .map((file) => join(folder, file));
    const policies = loadPolicies(files, compiler);
    assert.equal(policies.length, files.length);
    for (const policy of policies) assert.deepEqual(policy.warnings, [], policy.name);
  });
});
