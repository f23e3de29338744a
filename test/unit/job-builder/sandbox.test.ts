// Reference §6.5: the sandbox workspace request, its checks (in order, with the reference's
// messages) and its resolution into the worker's ORKA_AGENT_SANDBOX_* variables.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildWorkerJob,
  sandboxWorkspaceProblem,
  type WorkerJobConfig,
  WorkerJobError,
} from '../../../reconcilers/job/index.ts';
import type { Task } from '../../../resources/types.ts';
import { config, envMap, makeAgent, makeTask, sandboxConfig } from './fixtures.ts';

const workspaceTask = (workspace: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
  makeTask({ execution: { workspace: { enabled: true, ...workspace } }, ...spec });

const withSandbox = (settings: Partial<WorkerJobConfig['sandbox']>): WorkerJobConfig => ({
  ...sandboxConfig,
  sandbox: { ...sandboxConfig.sandbox, ...settings },
});

describe('reference §6.5 checks, first failure wins', () => {
  const cases: [string, Task, WorkerJobConfig, string | undefined][] = [
    ['no request: nothing to check', makeTask(), config, undefined],
    [
      'enabled: false is no request',
      makeTask({ execution: { workspace: { enabled: false } } }),
      config,
      undefined,
    ],
    [
      '1. sandbox disabled',
      workspaceTask({ templateRef: { name: 't' } }),
      config,
      'execution workspace requires agent sandbox to be enabled',
    ],
    [
      '2. not an agent Task',
      workspaceTask({ templateRef: { name: 't' } }, { type: 'ai' }),
      sandboxConfig,
      'execution workspace is only supported for type: agent tasks',
    ],
    [
      '3. warm pool policy',
      workspaceTask({ templateRef: { name: 't' } }),
      withSandbox({ warmPoolPolicy: 'always' as never }),
      'unsupported agent sandbox warm pool policy "always"',
    ],
    [
      '3. namespace strategy',
      workspaceTask({ templateRef: { name: 't' } }),
      withSandbox({ namespaceStrategy: 'cluster' as never }),
      'unsupported agent sandbox namespace strategy "cluster"',
    ],
    [
      '3. claim timeout',
      workspaceTask({ templateRef: { name: 't' } }),
      withSandbox({ claimTimeoutSeconds: 0 }),
      'agent sandbox claim timeout must be greater than zero',
    ],
    [
      '3. command timeout',
      workspaceTask({ templateRef: { name: 't' } }),
      withSandbox({ commandTimeoutSeconds: -1 }),
      'agent sandbox command timeout must be greater than zero',
    ],
    [
      '3. cleanup policy',
      workspaceTask({ templateRef: { name: 't' } }),
      withSandbox({ cleanupPolicy: 'keep' as never }),
      'unsupported agent sandbox cleanup policy "keep"',
    ],
    [
      '4. no template and no default',
      workspaceTask({}),
      sandboxConfig,
      'execution workspace templateRef.name is required when no agent sandbox default template is configured',
    ],
    [
      '4. the default template suffices',
      workspaceTask({}),
      withSandbox({ defaultTemplate: 'd' }),
      undefined,
    ],
    [
      '5. reusePolicy',
      workspaceTask({ templateRef: { name: 't' }, reusePolicy: 'forever' }),
      sandboxConfig,
      'unsupported execution workspace reusePolicy "forever"',
    ],
    [
      '6. cleanupPolicy',
      workspaceTask({ templateRef: { name: 't' }, cleanupPolicy: 'never' }),
      sandboxConfig,
      'unsupported execution workspace cleanupPolicy "never"',
    ],
    [
      '7. session reuse without a session',
      workspaceTask({ templateRef: { name: 't' }, reusePolicy: 'session' }),
      sandboxConfig,
      'execution workspace reusePolicy "session" requires spec.sessionRef.name',
    ],
    [
      'valid request',
      workspaceTask(
        { templateRef: { name: 't' }, reusePolicy: 'session' },
        { sessionRef: { name: 's' } },
      ),
      sandboxConfig,
      undefined,
    ],
  ];
  for (const [name, task, cfg, message] of cases) {
    test(name, () => {
      assert.equal(sandboxWorkspaceProblem(task, cfg), message);
      // the builder refuses type: ai before it looks at the workspace
      if (message === undefined || task.spec.type !== 'agent') return;
      assert.throws(
        () => buildWorkerJob(task, makeAgent(), cfg),
        (error: Error) => error instanceof WorkerJobError && error.message === message,
      );
    });
  }
});

describe('reference §6.5 resolution → row 16 variables', () => {
  const cases: [string, Task, WorkerJobConfig, Record<string, string>][] = [
    [
      'seed coding-agent-task: explicit template, session reuse, retain',
      workspaceTask(
        { templateRef: { name: 'coding-agent' }, reusePolicy: 'session', cleanupPolicy: 'retain' },
        { sessionRef: { name: 'feature-123' } },
      ),
      withSandbox({ routerUrl: 'http://router.test:8080' }),
      {
        ORKA_AGENT_SANDBOX_ENABLED: 'true',
        ORKA_AGENT_SANDBOX_ROUTER_URL: 'http://router.test:8080',
        ORKA_AGENT_SANDBOX_TEMPLATE_NAME: 'coding-agent',
        ORKA_AGENT_SANDBOX_TEMPLATE_NAMESPACE: 'team-a',
        ORKA_AGENT_SANDBOX_CLAIM_NAMESPACE: 'team-a',
        ORKA_AGENT_SANDBOX_REUSE_POLICY: 'session',
        ORKA_AGENT_SANDBOX_REUSE_KEY: 'feature-123',
        ORKA_AGENT_SANDBOX_CLEANUP_POLICY: 'retain',
        ORKA_AGENT_SANDBOX_WARM_POOL_POLICY: 'disabled',
        ORKA_AGENT_SANDBOX_NAMESPACE_STRATEGY: 'task',
        ORKA_AGENT_SANDBOX_CLAIM_TIMEOUT_SECONDS: '120',
        ORKA_AGENT_SANDBOX_COMMAND_TIMEOUT_SECONDS: '1800',
        ORKA_AGENT_SANDBOX_DEPTH: '0',
      },
    ],
    [
      'defaults: controller template and cleanup policy, reuse none, empty router and key',
      workspaceTask({}),
      withSandbox({
        defaultTemplate: 'default-tpl',
        cleanupPolicy: 'retain',
        warmPoolPolicy: 'template',
      }),
      {
        ORKA_AGENT_SANDBOX_ROUTER_URL: '',
        ORKA_AGENT_SANDBOX_TEMPLATE_NAME: 'default-tpl',
        ORKA_AGENT_SANDBOX_REUSE_POLICY: 'none',
        ORKA_AGENT_SANDBOX_REUSE_KEY: '',
        ORKA_AGENT_SANDBOX_CLEANUP_POLICY: 'retain',
        ORKA_AGENT_SANDBOX_WARM_POOL_POLICY: 'template',
      },
    ],
    [
      'strategy controller: the controller namespace',
      workspaceTask({ templateRef: { name: 't' } }),
      withSandbox({ namespaceStrategy: 'controller' }),
      {
        ORKA_AGENT_SANDBOX_TEMPLATE_NAMESPACE: 'orka-system',
        ORKA_AGENT_SANDBOX_CLAIM_NAMESPACE: 'orka-system',
        ORKA_AGENT_SANDBOX_NAMESPACE_STRATEGY: 'controller',
      },
    ],
    [
      'an explicit (trimmed) template namespace wins over the strategy',
      workspaceTask({ templateRef: { name: 't', namespace: ' templates ' } }),
      withSandbox({ namespaceStrategy: 'controller' }),
      {
        ORKA_AGENT_SANDBOX_TEMPLATE_NAMESPACE: 'templates',
        ORKA_AGENT_SANDBOX_CLAIM_NAMESPACE: 'templates',
      },
    ],
    [
      'reuse key only with session reuse',
      workspaceTask(
        { templateRef: { name: 't' }, reusePolicy: 'none' },
        { sessionRef: { name: 's' } },
      ),
      sandboxConfig,
      { ORKA_AGENT_SANDBOX_REUSE_KEY: '' },
    ],
  ];
  for (const [name, task, cfg, expected] of cases) {
    test(name, () => {
      const env = envMap(buildWorkerJob(task, makeAgent(), cfg));
      for (const [variable, value] of Object.entries(expected))
        assert.equal(env[variable], value, variable);
    });
  }

  test('an Agent-level workspace request is not inherited', () => {
    const agent = makeAgent({
      execution: { workspace: { enabled: true, templateRef: { name: 't' } } },
    });
    const env = envMap(buildWorkerJob(makeTask(), agent, sandboxConfig));
    assert.equal(env.ORKA_AGENT_SANDBOX_ENABLED, undefined);
  });
});
