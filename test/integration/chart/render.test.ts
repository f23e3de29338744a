// helm template of charts/orka for the default values and each feature's values: every object is
// a valid Kubernetes object, the rendered args parse with the `orka` command's own flag table,
// and each feature renders what DESIGN §9 and the seeds ask for.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commands } from '../../../cli/commands.ts';
import { type FlagValues, parseCommandLine } from '../../../cli/flags.ts';
import {
  containerArgs,
  find,
  HELM_UNAVAILABLE,
  type KubeObject,
  NAMESPACE,
  podTemplate,
  render,
} from './chart.ts';
import { validateObject } from './model-check.ts';

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}

const rulesOf = (objects: KubeObject[], name: string) =>
  (find(objects, 'ClusterRole', name).rules ?? []) as PolicyRule[];

const grants = (rules: PolicyRule[], group: string, resource: string, verb: string) =>
  rules.some(
    (rule) =>
      (rule.apiGroups ?? []).includes(group) &&
      (rule.resources ?? []).includes(resource) &&
      rule.verbs.includes(verb),
  );

/** The deployment's args parsed by the flag table of `orka <path>`; no positionals allowed. */
function parsedArgs(deployment: KubeObject, path: string[]): FlagValues {
  const args = containerArgs(deployment);
  assert.deepEqual(args.slice(0, path.length), path, 'the args start with the command');
  const command = commands.find((c) => c.path.join(' ') === path.join(' '));
  assert.ok(command, `orka ${path.join(' ')} is in the command table`);
  const { values, positionals } = parseCommandLine(command.flags, args.slice(path.length), {});
  assert.deepEqual(positionals, [], 'no stray positional arguments');
  return values;
}

const controller = (objects: KubeObject[]) =>
  parsedArgs(find(objects, 'Deployment', 'orka-controller'), ['controller']);
const webhook = (objects: KubeObject[]) =>
  parsedArgs(find(objects, 'Deployment', 'orka-webhook'), ['webhook']);
const flagNames = (deployment: KubeObject) =>
  containerArgs(deployment)
    .filter((arg) => arg.startsWith('--'))
    .map((arg) => arg.slice(2).split('=')[0]!);

interface Scenario {
  name: string;
  values: Record<string, unknown>;
  check: (objects: KubeObject[]) => void;
}

const scenarios: Scenario[] = [
  {
    name: 'default values',
    values: {},
    check(objects) {
      const values = controller(objects);
      assert.equal(values['controller-namespace'], NAMESPACE);
      assert.equal(values['controller-service-account'], 'orka');
      assert.equal(values['store-path'], '/data/orka.db');
      assert.equal(values['controller-url'], `http://orka-api.${NAMESPACE}.svc:8080`);
      assert.equal(values['task-provenance-admission-enabled'], true);
      assert.equal(values['enforce-namespace-isolation'], false);
      assert.equal(values['claude-worker-image'], 'orka/worker-claude:0.1.0');
      for (const name of ['orka-controller', 'orka-webhook']) {
        const flags = flagNames(find(objects, 'Deployment', name));
        assert.deepEqual(
          flags.filter((flag) => flag.startsWith('agent-sandbox')),
          [],
          `${name}: no sandbox flag while the sandbox is disabled`,
        );
      }
      assert.equal(webhook(objects)['agent-sandbox-enabled'], false);
      assert.equal(objects.filter((o) => o.kind === 'NetworkPolicy').length, 0);
      assert.equal(objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy').length, 0);
      assert.equal(objects.filter((o) => o.kind === 'PersistentVolumeClaim').length, 0);
      assert.deepEqual(rulesOf(objects, 'orka-worker'), [], 'workers need no Kubernetes rights');
    },
  },
  {
    name: 'agent sandbox enabled (seed 001)',
    values: {
      controller: {
        agentSandbox: {
          enabled: true,
          routerUrl: 'http://agent-sandbox-router.agent-sandbox-system.svc:8080',
          defaultTemplate: 'coding-agent',
          warmPoolPolicy: 'template',
          namespaceStrategy: 'task',
          claimTimeout: '2m',
          commandTimeout: '30m',
          cleanupPolicy: 'retain',
        },
      },
    },
    check(objects) {
      for (const values of [controller(objects), webhook(objects)]) {
        assert.equal(values['agent-sandbox-enabled'], true);
        assert.equal(
          values['agent-sandbox-router-url'],
          'http://agent-sandbox-router.agent-sandbox-system.svc:8080',
        );
        assert.equal(values['agent-sandbox-default-template'], 'coding-agent');
        assert.equal(values['agent-sandbox-warm-pool-policy'], 'template');
        assert.equal(values['agent-sandbox-namespace-strategy'], 'task');
        assert.equal(values['agent-sandbox-claim-timeout'], '2m');
        assert.equal(values['agent-sandbox-command-timeout'], '30m');
        assert.equal(values['agent-sandbox-cleanup-policy'], 'retain');
      }
      const worker = rulesOf(objects, 'orka-worker');
      const sandboxes = 'extensions.agents.x-k8s.io';
      for (const verb of ['create', 'delete', 'patch', 'get']) {
        assert.ok(grants(worker, sandboxes, 'sandboxclaims', verb), `sandboxclaims ${verb}`);
      }
      assert.ok(grants(worker, sandboxes, 'sandboxtemplates', 'get'));
      assert.ok(grants(worker, sandboxes, 'sandboxwarmpools', 'get'));
      assert.ok(grants(worker, 'agents.x-k8s.io', 'sandboxes', 'get'));
      assert.ok(grants(worker, '', 'pods/portforward', 'create'));
      assert.ok(grants(worker, 'discovery.k8s.io', 'endpointslices', 'get'));
    },
  },
  {
    name: 'namespace isolation, task limit, watch namespace and Job TTL',
    values: {
      controller: {
        enforceNamespaceIsolation: true,
        maxTasksPerNamespace: 50,
        watchNamespace: 'team-a',
        jobTtlSecondsAfterFinished: 600,
        taskProvenance: { trustedUsers: ['ci-bot'], trustedServiceAccounts: ['delegator'] },
      },
      workers: { codex: { sandboxMode: 'danger-full-access' } },
    },
    check(objects) {
      const values = controller(objects);
      assert.equal(values['watch-namespace'], 'team-a');
      assert.equal(values['job-ttl-seconds-after-finished'], 600);
      assert.equal(values['codex-sandbox-mode'], 'danger-full-access');
      for (const admission of [values, webhook(objects)]) {
        assert.equal(admission['enforce-namespace-isolation'], true);
        assert.equal(admission['max-tasks-per-namespace'], 50);
        assert.deepEqual(admission['task-provenance-admission-trusted-users'], ['ci-bot']);
        assert.deepEqual(admission['task-provenance-admission-trusted-service-accounts'], [
          'delegator',
        ]);
      }
    },
  },
  {
    name: 'OIDC',
    values: {
      controller: {
        oidc: {
          issuer: 'https://issuer.example.com',
          audience: 'orka',
          jwksUrl: 'https://issuer.example.com/keys',
          namespaceClaim: 'team',
        },
      },
    },
    check(objects) {
      const values = controller(objects);
      assert.equal(values['oidc-issuer'], 'https://issuer.example.com');
      assert.equal(values['oidc-audience'], 'orka');
      assert.equal(values['oidc-jwks-url'], 'https://issuer.example.com/keys');
      assert.equal(values['oidc-namespace-claim'], 'team');
      assert.ok(!flagNames(find(objects, 'Deployment', 'orka-webhook')).includes('oidc-issuer'));
    },
  },
  {
    name: 'persistent store',
    values: { store: { persistence: { enabled: true, size: '5Gi', storageClass: 'fast' } } },
    check(objects) {
      const claim = find(objects, 'PersistentVolumeClaim', 'orka-store');
      assert.deepEqual(claim.spec, {
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'fast',
        resources: { requests: { storage: '5Gi' } },
      });
      const deployment = find(objects, 'Deployment', 'orka-controller');
      assert.deepEqual((deployment.spec as { strategy: unknown }).strategy, { type: 'Recreate' });
      const store = podTemplate(deployment).spec.volumes?.find((v) => v.name === 'store');
      assert.deepEqual(store?.persistentVolumeClaim, { claimName: 'orka-store' });
    },
  },
  {
    name: 'worker egress NetworkPolicy and worker Pod admission policy',
    values: {
      networkPolicy: {
        workerEgress: {
          enabled: true,
          namespaces: ['team-a', 'team-b'],
          modelEndpoints: [
            { cidr: '0.0.0.0/0', ports: [443] },
            { cidr: '10.20.0.0/16', ports: [8443] },
          ],
        },
      },
      workerPodSecurity: { enabled: true, validationActions: ['Warn', 'Audit'] },
    },
    check(objects) {
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
      assert.deepEqual(policies.map((p) => p.metadata.namespace).sort(), ['team-a', 'team-b']);
      const egress = (policies[0]!.spec as { egress: Record<string, unknown>[] }).egress;
      const text = JSON.stringify(egress);
      assert.match(text, /"port":53/);
      assert.match(text, /"port":8080/);
      const blocks = egress.flatMap(
        (rule) => (rule.to as { ipBlock?: { cidr: string; except?: string[] } }[]) ?? [],
      );
      const everywhere = blocks.find((peer) => peer.ipBlock?.cidr === '0.0.0.0/0');
      assert.deepEqual(everywhere?.ipBlock?.except, ['169.254.169.254/32']);
      const internal = blocks.find((peer) => peer.ipBlock?.cidr === '10.20.0.0/16');
      assert.equal(internal?.ipBlock?.except, undefined, 'except must lie inside its CIDR');
      const policy = find(objects, 'ValidatingAdmissionPolicy', 'orka-worker-pod-security');
      const rules = JSON.stringify(policy.spec);
      for (const field of ['readOnlyRootFilesystem', 'allowPrivilegeEscalation', 'runAsNonRoot']) {
        assert.ok(rules.includes(field), `the policy checks ${field}`);
      }
      const binding = find(objects, 'ValidatingAdmissionPolicyBinding', 'orka-worker-pod-security');
      assert.deepEqual((binding.spec as { validationActions: string[] }).validationActions, [
        'Warn',
        'Audit',
      ]);
    },
  },
];

describe('helm template charts/orka', { skip: HELM_UNAVAILABLE }, () => {
  for (const scenario of scenarios) {
    describe(scenario.name, () => {
      const objects = render(scenario.values);

      test('every object is a valid Kubernetes object (client-node models)', () => {
        assert.ok(objects.length > 10, `rendered ${objects.length} objects`);
        assert.deepEqual(objects.flatMap(validateObject), []);
      });

      test('controller and webhook args parse with the orka command flags', () => {
        controller(objects);
        webhook(objects);
      });

      test('renders what the values ask for', () => scenario.check(objects));

      test('no RBAC rule uses a wildcard', () => {
        for (const role of objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')) {
          for (const rule of (role.rules ?? []) as PolicyRule[]) {
            const words = [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs];
            assert.ok(!words.includes('*'), `${role.kind} ${role.metadata.name}: ${words}`);
          }
        }
      });
    });
  }
});

const contextTokenValues = {
  controller: {
    contextToken: {
      profile: 'kontxt',
      issuer: 'https://tts.example.com',
      audience: 'orka',
      jwksUrl: 'https://tts.example.com/jwks.json',
      headers: 'Txn-Token,Authorization:Bearer',
      authzMode: 'enforce',
      scopes: { taskCreate: 'orka:tasks:create,team:tasks', sessionRead: 'orka:sessions:read' },
    },
  },
};

const controllerCommand = commands.find((command) => command.path.join(' ') === 'controller');
const missingContextTokenFlags = controllerCommand?.flags.some(
  (flag) => flag.name === 'context-token-profile',
)
  ? undefined
  : 'cli/controller-flags.ts has no --context-token-* flags yet, so orka controller would refuse the flags the chart renders for controller.contextToken';

describe('context tokens', { skip: HELM_UNAVAILABLE }, () => {
  test('controller.contextToken renders --context-token-* flags the controller accepts', {
    todo: missingContextTokenFlags,
  }, () => {
    const objects = render(contextTokenValues);
    assert.deepEqual(objects.flatMap(validateObject), []);
    const values = controller(objects);
    assert.equal(values['context-token-profile'], 'kontxt');
    assert.equal(values['context-token-issuer'], 'https://tts.example.com');
    assert.equal(values['context-token-audience'], 'orka');
    assert.equal(values['context-token-jwks-url'], 'https://tts.example.com/jwks.json');
    assert.equal(values['context-token-headers'], 'Txn-Token,Authorization:Bearer');
    assert.equal(values['context-token-authz-mode'], 'enforce');
    assert.equal(values['context-token-task-create-scopes'], 'orka:tasks:create,team:tasks');
    assert.equal(values['context-token-session-read-scopes'], 'orka:sessions:read');
  });

  test('without a profile no context-token flag is rendered', () => {
    const objects = render({ controller: { contextToken: { issuer: 'https://tts.example.com' } } });
    const flags = flagNames(find(objects, 'Deployment', 'orka-controller'));
    assert.deepEqual(
      flags.filter((flag) => flag.startsWith('context-token')),
      [],
    );
  });
});

describe('hardening and wiring of the default install', { skip: HELM_UNAVAILABLE }, () => {
  const objects = render();

  test('controller: one replica, uid 65532, read-only root, /data and /tmp, probes', () => {
    const deployment = find(objects, 'Deployment', 'orka-controller');
    assert.equal((deployment.spec as { replicas: number }).replicas, 1);
    const pod = podTemplate(deployment).spec;
    assert.equal(pod.serviceAccountName, 'orka');
    assert.deepEqual(pod.securityContext, {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const container = pod.containers[0]!;
    assert.deepEqual(container.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.deepEqual(container.volumeMounts, [
      { name: 'store', mountPath: '/data' },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    assert.deepEqual(container.livenessProbe?.httpGet, {
      path: '/healthz',
      port: 'api',
    });
    assert.deepEqual(container.readinessProbe?.httpGet, {
      path: '/readyz',
      port: 'api',
    });
  });

  test('webhook: two replicas, PDB, anti-affinity, TLS from the controller-managed Secret', () => {
    const deployment = find(objects, 'Deployment', 'orka-webhook');
    assert.equal((deployment.spec as { replicas: number }).replicas, 2);
    const pod = podTemplate(deployment).spec;
    assert.equal(pod.serviceAccountName, 'orka-webhook');
    assert.ok(pod.affinity?.podAntiAffinity);
    const certs = pod.volumes?.find((v) => v.name === 'certs');
    assert.deepEqual(certs?.secret, {
      secretName: 'orka-webhook-tls',
      items: [
        { key: 'tls.crt', path: 'tls.crt' },
        { key: 'tls.key', path: 'tls.key' },
      ],
    });
    assert.equal(webhook(objects)['cert-dir'], '/certs');
    assert.equal(webhook(objects).port, 9443);
    assert.equal(webhook(objects).workers, 1);
    assert.equal(webhook(render({ webhook: { workers: 3 } })).workers, 3);
    const budget = find(objects, 'PodDisruptionBudget', 'orka-webhook');
    assert.equal((budget.spec as { minAvailable: number }).minAvailable, 1);
  });

  test('Services: orka-api on 8080, the webhook on 443 → 9443', () => {
    const api = find(objects, 'Service', 'orka-api').spec as { ports: unknown[] };
    assert.deepEqual(api.ports, [{ name: 'api', port: 8080, targetPort: 'api', protocol: 'TCP' }]);
    const hook = find(objects, 'Service', 'orka-webhook').spec as { ports: unknown[] };
    assert.deepEqual(hook.ports, [
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
    ]);
    const container = podTemplate(find(objects, 'Deployment', 'orka-webhook')).spec.containers[0]!;
    assert.deepEqual(container.ports, [{ name: 'https', containerPort: 9443, protocol: 'TCP' }]);
  });

  test('ServiceAccounts orka, orka-webhook and orka-client', () => {
    for (const name of ['orka', 'orka-webhook', 'orka-client'])
      find(objects, 'ServiceAccount', name);
  });

  test('webhook configurations: Orka resources only, NoneOnDryRun, Equivalent, Fail, injectable', () => {
    for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
      const configuration = objects.find((o) => o.kind === kind)!;
      assert.equal(configuration.metadata.labels?.['orka.ai/inject-ca-bundle'], 'true');
      const hooks = configuration.webhooks as Record<string, unknown>[];
      const resources = hooks.flatMap((hook) =>
        (hook.rules as { apiGroups: string[]; resources: string[] }[]).flatMap((rule) =>
          rule.apiGroups.flatMap((group) => rule.resources.map((r) => `${group}/${r}`)),
        ),
      );
      assert.deepEqual(resources.sort(), [
        'core.orka.ai/agents',
        'core.orka.ai/tasks',
        'policy.orka.ai/admissionpolicies',
      ]);
      for (const hook of hooks) {
        assert.equal(hook.sideEffects, 'NoneOnDryRun');
        assert.equal(hook.matchPolicy, 'Equivalent');
        assert.equal(hook.failurePolicy, 'Fail');
        const client = hook.clientConfig as { service: Record<string, unknown>; caBundle?: string };
        assert.equal(client.service.name, 'orka-webhook');
        assert.equal(client.service.port, 443);
        assert.equal(client.caBundle, undefined, 'no cluster to look up: the controller injects');
      }
    }
  });

  test('RBAC: the controller reviews tokens and access; the webhook only reads', () => {
    const controllerRules = rulesOf(objects, 'orka-controller');
    assert.ok(grants(controllerRules, 'authentication.k8s.io', 'tokenreviews', 'create'));
    assert.ok(grants(controllerRules, 'authorization.k8s.io', 'subjectaccessreviews', 'create'));
    assert.ok(grants(controllerRules, 'core.orka.ai', 'tasks', 'create'));
    const webhookRules = rulesOf(objects, 'orka-webhook');
    for (const rule of webhookRules) {
      const writes = rule.verbs.filter((verb) => !['get', 'list', 'watch'].includes(verb));
      if (writes.length > 0) assert.deepEqual([rule.resources, writes], [['events'], ['create']]);
    }
    assert.ok(!grants(webhookRules, '', 'secrets', 'get'), 'the webhook reads no Secret');
    const binding = find(objects, 'ClusterRoleBinding', 'orka-webhook');
    assert.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: 'orka-webhook', namespace: NAMESPACE },
    ]);
  });

  test('another release name renames objects but not the names the program knows', () => {
    const renamed = render({ fullnameOverride: 'acme' });
    const deployment = find(renamed, 'Deployment', 'acme-controller');
    assert.equal(parsedArgs(deployment, ['controller'])['controller-service-account'], 'acme');
    find(renamed, 'Service', 'orka-webhook');
    find(renamed, 'ClusterRole', 'orka-worker');
    const hook = podTemplate(find(renamed, 'Deployment', 'acme-webhook')).spec;
    assert.equal(
      hook.volumes?.find((v) => v.name === 'certs')?.secret?.secretName,
      'orka-webhook-tls',
    );
  });

  test('failurePolicy Ignore is a value away', () => {
    const ignoring = render({ webhook: { failurePolicy: 'Ignore', timeoutSeconds: 5 } });
    const hooks = ignoring.find((o) => o.kind === 'ValidatingWebhookConfiguration')!
      .webhooks as Record<string, unknown>[];
    assert.ok(hooks.every((hook) => hook.failurePolicy === 'Ignore' && hook.timeoutSeconds === 5));
  });
});
