// A Kubernetes API stand-in seeded for the policy operations tests: Orka CRDs, three team
// namespaces (team-b lowers bash-reserved to Warn by label), Agents, Tasks with spec.requestedBy,
// a params ConfigMap, and a kubeconfig file for the admin identity.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { main } from '../../../cli/main.ts';
import { type KubeStandin, startKubeStandin } from '../../kube/index.ts';
import { createAgent, installCrds } from '../reconcilers/harness.ts';

export interface SeededCluster {
  standin: KubeStandin;
  dir: string;
  kubeconfig: string;
  custom: CustomObjectsApi;
  /** writes a file into the temporary folder and returns its path */
  file(name: string, text: string): string;
  stop(): Promise<void>;
}

const GROUP = 'core.orka.ai';
const VERSION = 'v1alpha1';

export async function seededCluster(): Promise<SeededCluster> {
  const standin = await startKubeStandin();
  await installCrds(standin);
  const core = standin.kubeConfig.makeApiClient(CoreV1Api);
  const custom = standin.kubeConfig.makeApiClient(CustomObjectsApi);
  const namespaces: Record<string, Record<string, string>> = {
    'orka-system': {},
    'team-a': { team: 'a' },
    'team-b': { team: 'b', 'policy.orka.ai/action.bash-reserved': 'Warn' },
    'team-c': { team: 'c' },
  };
  for (const [name, labels] of Object.entries(namespaces)) {
    await core.createNamespace({ body: { metadata: { name, labels } } });
  }
  await core.createNamespacedConfigMap({
    namespace: 'orka-system',
    body: { metadata: { name: 'bash-admins' }, data: { groups: 'platform,sre' } },
  });
  const agent = (namespace: string, name: string, runtime: Record<string, unknown>) =>
    createAgent(custom, namespace, name, { runtime: { type: 'claude', ...runtime } });
  const task = (
    namespace: string,
    name: string,
    requester: [string, string[]],
    spec: Record<string, unknown> = {},
  ) =>
    custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: 'tasks',
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'Task',
        metadata: { name, namespace },
        spec: {
          type: 'agent',
          agentRef: { name: 'claude' },
          prompt: `work on ${name}`,
          requestedBy: { username: requester[0], groups: requester[1] },
          ...spec,
        },
      },
    });
  await agent('team-a', 'claude', {});
  await agent('team-b', 'claude', {});
  await agent('team-c', 'claude', { defaultAllowBash: false });
  await task('team-a', 'fix-tests', ['alice', ['dev']]);
  await task('team-a', 'rotate-keys', ['bob', ['platform']]);
  await task('team-a', 'read-only', ['alice', ['dev']], { agentRuntime: { allowBash: false } });
  await task('team-b', 'refactor', ['carol', ['dev']]);
  await task('team-c', 'docs', ['dave', ['dev']]);
  await task('team-c', 'borrowed-agent', ['erin', ['dev']], {
    agentRef: { name: 'claude', namespace: 'team-a' },
  });

  const dir = mkdtempSync(join(tmpdir(), 'orka-policy-ops-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, standin.kubeconfigFor('kubernetes-admin'));
  return {
    standin,
    dir,
    kubeconfig,
    custom,
    file(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    async stop() {
      await standin.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `orka <args>` in this process with captured output and no ambient environment. */
export async function orka(
  args: string[],
  env: Record<string, string> = {},
): Promise<CommandResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await main(args, {
    stdout: sink((text) => {
      stdout += text;
    }),
    stderr: sink((text) => {
      stderr += text;
    }),
    env,
  });
  return { code, stdout, stderr };
}

export const BASH_RESERVED = `apiVersion: policy.orka.ai/v1alpha1
kind: AdmissionPolicy
metadata: { name: bash-reserved }
spec:
  validationActions: [Deny]
  matchConstraints:
    resourceRules:
    - { apiGroups: [core.orka.ai], apiVersions: ["*"], resources: [tasks], operations: [CREATE, UPDATE] }
  paramRef: { name: bash-admins, namespace: orka-system }
  validations:
  - expression: "!effective.allowBash || requester.groups.exists(g, g in params.data.groups.split(','))"
    messageExpression: "'Bash is reserved for ' + params.data.groups + ' (requested by ' + requester.username + ')'"
    reason: Forbidden
`;
