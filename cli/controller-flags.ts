// The controller's flags (names as reference §9.2, defaults as DESIGN §5 and §12). Every command
// accepts the ones that change its behaviour; the Helm chart renders only flags listed here.
// Only the scope table (a pure module) is imported: every command loads this file.
import { SCOPE_CLASSES } from '../api/authz/scopes.ts';
import type { FlagSpec } from './flags.ts';

const workerImage = (runtime: string): FlagSpec => ({
  name: `${runtime}-worker-image`,
  type: 'string',
  default: `orka/worker-${runtime}:latest`,
  description: `image for ${runtime} agent workers`,
});

export const kubeconfigFlag: FlagSpec = {
  name: 'kubeconfig',
  type: 'string',
  default: '',
  description: 'kubeconfig file (else KUBECONFIG, ~/.kube/config, in-cluster)',
};

/** Flags that change what admission decides: accepted by webhook, dev, controller and policy commands. */
export const admissionFlags: FlagSpec[] = [
  {
    name: 'controller-namespace',
    type: 'string',
    default: 'orka-system',
    description: 'namespace the controller runs in (POD_NAMESPACE in-cluster)',
  },
  {
    name: 'controller-service-account',
    type: 'string',
    default: 'orka',
    description: "the controller's ServiceAccount name, a trusted Task writer",
  },
  {
    name: 'enforce-namespace-isolation',
    type: 'boolean',
    default: false,
    description: 'refuse cross-namespace agentRef, providerRef and priorTaskRef',
  },
  {
    name: 'max-tasks-per-namespace',
    type: 'int',
    default: 0,
    description: 'Tasks running at once per namespace (0 = unlimited)',
  },
  {
    name: 'task-provenance-admission-enabled',
    type: 'boolean',
    default: true,
    description: 'guard requester and transaction fields of Tasks',
  },
  {
    name: 'task-provenance-admission-trusted-users',
    type: 'list',
    default: [],
    description: "usernames trusted to write provenance fields (default: the controller's SA)",
  },
  {
    name: 'task-provenance-admission-trusted-service-accounts',
    type: 'list',
    default: [],
    description: "ServiceAccount names in the Task's namespace trusted to write provenance fields",
  },
  {
    name: 'agent-sandbox-enabled',
    type: 'boolean',
    default: false,
    description: 'allow Tasks to request agent-sandbox workspaces',
  },
  {
    name: 'agent-sandbox-router-url',
    type: 'string',
    default: '',
    description: 'sandbox router URL (direct mode)',
  },
  {
    name: 'agent-sandbox-default-template',
    type: 'string',
    default: '',
    description: 'SandboxTemplate used when a Task names none',
  },
  {
    name: 'agent-sandbox-warm-pool-policy',
    type: 'string',
    default: 'disabled',
    choices: ['disabled', 'template'],
    description: 'claim from a warm pool named after the template',
  },
  {
    name: 'agent-sandbox-namespace-strategy',
    type: 'string',
    default: 'task',
    choices: ['task', 'controller'],
    description: 'namespace of SandboxClaims',
  },
  {
    name: 'agent-sandbox-claim-timeout',
    type: 'string',
    default: '2m',
    description: 'how long to wait for a claimed sandbox (Go duration)',
  },
  {
    name: 'agent-sandbox-command-timeout',
    type: 'string',
    default: '30m',
    description: 'how long the inner worker may run (Go duration)',
  },
  {
    name: 'agent-sandbox-cleanup-policy',
    type: 'string',
    default: 'delete',
    choices: ['delete', 'retain'],
    description: 'what happens to a sandbox after its Task',
  },
];

/** Flags of the reconcilers, the REST API and the store. */
export const controllerFlags: FlagSpec[] = [
  { name: 'api-port', type: 'int', default: 8080, description: 'REST API port' },
  {
    name: 'watch-namespace',
    type: 'string',
    default: '',
    description: 'only reconcile and serve this namespace',
  },
  {
    name: 'controller-url',
    type: 'string',
    default: '',
    description: 'URL workers use to reach the API (default http://orka-api.<ns>.svc:<api-port>)',
  },
  {
    name: 'store-path',
    type: 'string',
    default: '/data/orka.db',
    description: 'SQLite store file',
  },
  workerImage('claude'),
  workerImage('codex'),
  workerImage('copilot'),
  {
    name: 'codex-sandbox-mode',
    type: 'string',
    default: '',
    description: 'ORKA_CODEX_SANDBOX_MODE for codex workers',
  },
  {
    name: 'job-ttl-seconds-after-finished',
    type: 'int',
    default: 3600,
    description: 'ttlSecondsAfterFinished of worker Jobs',
  },
  { name: 'oidc-issuer', type: 'string', default: '', description: 'OIDC issuer URL' },
  { name: 'oidc-audience', type: 'string', default: '', description: 'OIDC audience' },
  {
    name: 'oidc-jwks-url',
    type: 'string',
    default: '',
    description: 'JWKS URL (default: discovery)',
  },
  {
    name: 'oidc-namespace-claim',
    type: 'string',
    default: '',
    description: 'JWT claim that confines an OIDC caller to a namespace',
  },
];

const contextTokenSetting = (name: string, description: string): FlagSpec => ({
  name: `context-token-${name}`,
  type: 'string',
  default: '',
  description,
});

/** Context-token authentication and authorization of the REST API (reference §3.1, §3.4). */
export const contextTokenFlags: FlagSpec[] = [
  contextTokenSetting('profile', 'context-token profile: "" (off) or kontxt'),
  contextTokenSetting('issuer', 'required issuer of context tokens'),
  contextTokenSetting('audience', 'required audience of context tokens'),
  contextTokenSetting('jwks-url', 'JWKS URL (default <issuer>/.well-known/jwks.json)'),
  contextTokenSetting('headers', 'CSV of Header or Header:Scheme (default Txn-Token)'),
  contextTokenSetting('authz-mode', 'scope checks: off (default), audit or enforce'),
  ...Object.values(SCOPE_CLASSES).map(({ flag, defaultScope }) =>
    contextTokenSetting(
      `${flag}-scopes`,
      `CSV of scopes, any one suffices (default ${defaultScope})`,
    ),
  ),
];

/** The in-cluster certificate manager: its Secret, the Service it certifies, what it injects. */
export const certificateFlags: FlagSpec[] = [
  {
    name: 'webhook-cert-secret',
    type: 'string',
    default: 'orka-webhook-tls',
    description:
      'Secret in the controller namespace holding the webhook CA and serving certificate',
  },
  {
    name: 'webhook-service',
    type: 'string',
    default: 'orka-webhook',
    description:
      'webhook Service named in the serving certificate (<svc>.<ns>.svc[.cluster.local])',
  },
  {
    name: 'webhook-configuration-selector',
    type: 'string',
    default: 'orka.ai/inject-ca-bundle=true',
    description: 'label selector of the webhook configurations that receive the CA bundle',
  },
];
