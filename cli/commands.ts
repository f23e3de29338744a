// The table of `orka` commands (DESIGN §11). A command without `run` is not built yet and says so.
// Each `run` imports its module when the command runs: the table itself loads only flag specs, so
// `orka worker` never compiles the policy engine, client-node or fastify, and `--help` runs nothing.
import {
  admissionFlags,
  certificateFlags,
  contextTokenFlags,
  controllerFlags,
  kubeconfigFlag,
} from './controller-flags.ts';
import type { FlagSpec, FlagValues } from './flags.ts';

export interface CommandContext {
  values: FlagValues;
  positionals: string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

export interface Command {
  /** words after `orka`, e.g. ['policy', 'eval'] */
  path: string[];
  summary: string;
  flags: FlagSpec[];
  /** resolves to the exit code; absent while the command is not implemented */
  run?: (context: CommandContext) => Promise<number>;
}

const output = (choices: string[]): FlagSpec => ({
  name: 'output',
  short: 'o',
  type: 'string',
  default: choices[0]!,
  choices,
  description: `output format (${choices.join('|')})`,
});

const policiesFlag: FlagSpec = {
  name: 'policies',
  type: 'list',
  repeatable: true,
  default: [],
  description: 'AdmissionPolicy file or folder (repeatable)',
};

export const commands: Command[] = [
  {
    path: ['examples'],
    summary:
      'Validates every manifest under examples/ (or DIR): seeds/ and policies/ must be valid, each invalid/ file must fail at its "# expect:" path',
    flags: [...admissionFlags],
    run: async (context) => (await import('./run-examples.ts')).runExamples(context),
  },
  {
    path: ['policy', 'eval'],
    summary: 'Runs the full admission chain on one object',
    run: async (context) => (await import('./policy-eval.ts')).runPolicyEval(context),
    flags: [
      { name: 'resource', type: 'string', default: '', description: 'the object (YAML or JSON)' },
      { name: 'old-resource', type: 'string', default: '', description: 'the old object' },
      {
        name: 'operation',
        type: 'string',
        default: '',
        choices: ['', 'CREATE', 'UPDATE', 'DELETE'],
        description: 'CREATE, UPDATE or DELETE',
      },
      { name: 'namespace', type: 'string', default: '', description: 'request namespace' },
      { name: 'user', type: 'string', default: 'orka-cli', description: 'requesting user' },
      {
        name: 'groups',
        type: 'list',
        default: ['system:authenticated'],
        description: 'requesting user groups',
      },
      { name: 'agent', type: 'string', default: '', description: 'the Agent a Task references' },
      { name: 'namespace-object', type: 'string', default: '', description: 'Namespace object' },
      { name: 'param-object', type: 'string', default: '', description: 'params object' },
      policiesFlag,
      { name: 'builtin', type: 'boolean', default: true, description: 'include built-in policies' },
      {
        name: 'explain',
        type: 'boolean',
        default: false,
        description:
          'per policy: matched or the constraint that skipped it, variables, validations',
      },
      output(['text', 'json']),
      ...admissionFlags,
    ],
  },
  {
    path: ['policy', 'test'],
    summary: 'Runs policy test suites',
    run: async (context) => (await import('./policy-test.ts')).runPolicyTest(context),
    flags: [
      {
        name: 'cluster',
        type: 'boolean',
        default: false,
        description: 'test against the policies deployed in the cluster',
      },
      kubeconfigFlag,
      ...admissionFlags,
    ],
  },
  {
    path: ['policy', 'show'],
    summary: 'Prints policies as YAML',
    run: async (context) => (await import('./policy-show.ts')).runPolicyShow(context),
    flags: [
      { name: 'builtin', type: 'boolean', default: false, description: 'only built-in policies' },
      policiesFlag,
      ...admissionFlags,
    ],
  },
  {
    path: ['policy', 'replay'],
    summary: 'Evaluates a candidate policy against the live objects it matches',
    run: async (context) => (await import('./policy-replay.ts')).runPolicyReplay(context),
    flags: [
      { name: 'policy', type: 'string', default: '', description: 'the candidate policy' },
      {
        name: 'operation',
        type: 'string',
        default: 'CREATE',
        choices: ['CREATE', 'UPDATE'],
        description: 'replay each object as created now, or as an update that changes nothing',
      },
      {
        name: 'watch-namespace',
        type: 'string',
        default: '',
        description: 'only this namespace (default: all namespaces)',
      },
      output(['text', 'json']),
      kubeconfigFlag,
      ...admissionFlags,
    ],
  },
  {
    path: ['certs', 'generate'],
    summary: 'Writes a CA and a serving certificate',
    run: async (context) => (await import('./certs-generate.ts')).runCertsGenerate(context),
    flags: [
      { name: 'out', type: 'string', default: '', description: 'output folder' },
      {
        name: 'dns',
        type: 'list',
        repeatable: true,
        default: [],
        description: 'DNS names or IP addresses',
      },
      { name: 'days', type: 'int', default: 365, description: 'validity in days' },
    ],
  },
  {
    path: ['webhook'],
    summary: 'Serves admission reviews',
    run: async (context) => (await import('./webhook.ts')).runWebhook(context),
    flags: [
      { name: 'port', type: 'int', default: 9443, description: 'HTTPS port' },
      { name: 'bind-address', type: 'string', default: '0.0.0.0', description: 'listen address' },
      { name: 'cert-dir', type: 'string', default: '', description: 'folder with tls.crt/tls.key' },
      {
        name: 'workers',
        type: 'int',
        default: 1,
        description: 'processes answering on the port (one core each); metrics are merged',
      },
      policiesFlag,
      kubeconfigFlag,
      ...admissionFlags,
    ],
  },
  {
    path: ['render', 'job'],
    summary: 'Prints the worker Job the controller would create for a Task',
    flags: [
      { name: 'task', type: 'string', default: '', description: 'the Task' },
      { name: 'agent', type: 'string', default: '', description: 'its Agent' },
      { name: 'namespace', type: 'string', default: '', description: 'namespace' },
      output(['yaml', 'json']),
      ...admissionFlags,
      ...controllerFlags,
    ],
    run: async (context) => (await import('./render-job.ts')).renderJob(context),
  },
  {
    path: ['controller'],
    summary: 'Runs the reconcilers, the REST API and the store',
    flags: [
      kubeconfigFlag,
      ...admissionFlags,
      ...controllerFlags,
      ...contextTokenFlags,
      ...certificateFlags,
      {
        name: 'health-port',
        type: 'int',
        default: 8082,
        description: '/healthz, /readyz and /metrics port',
      },
      {
        name: 'bind-address',
        type: 'string',
        default: '0.0.0.0',
        description: 'address the API and probes listen on',
      },
    ],
    run: async (context) => (await import('./controller.ts')).runController(context),
  },
  {
    path: ['dev'],
    summary: 'Runs webhook, controller and API in one process against a cluster',
    run: async (context) => (await import('./dev.ts')).runDev(context),
    flags: [
      {
        name: 'host',
        type: 'string',
        default: '127.0.0.1',
        description: 'address to serve on, which the apiserver calls (an IP or DNS name)',
      },
      { name: 'webhook-port', type: 'int', default: 9443, description: 'webhook HTTPS port' },
      {
        name: 'cert-dir',
        type: 'string',
        default: '',
        description:
          'folder keeping the CA and serving certificate between runs (default $XDG_STATE_HOME/orka/dev-certs, else ~/.local/state/orka/dev-certs)',
      },
      policiesFlag,
      kubeconfigFlag,
      ...admissionFlags,
      ...controllerFlags.map((flag) =>
        flag.name === 'store-path'
          ? { ...flag, default: 'orka-dev.db', description: 'SQLite store file (dev default)' }
          : flag,
      ),
    ],
  },
  {
    path: ['worker', 'delegate'],
    summary:
      'Creates a child Task of this worker\'s Task for another Agent: orka worker delegate --agent A "<prompt>"',
    // Flag names stay clear of the worker's own env (ORKA_PROMPT, ORKA_MODEL, ...): ORKA_* env
    // fills flags, and a child must not inherit the parent's prompt by accident.
    flags: [
      { name: 'agent', type: 'string', default: '', description: 'the Agent of the child Task' },
      {
        name: 'name',
        type: 'string',
        default: '',
        description: 'name of the child Task (default <parent>-child-<random>)',
      },
      {
        name: 'file',
        type: 'string',
        default: '',
        description: 'JSON/YAML file with more child fields (the REST API Task body)',
      },
      {
        name: 'output',
        short: 'o',
        type: 'string',
        default: 'name',
        choices: ['name', 'json'],
        description: "print the child's name or the created Task",
      },
    ],
    run: async (context) => (await import('./worker.ts')).runDelegateCommand(context),
  },
  {
    path: ['worker', 'fetch-session'],
    summary: 'Init container: fetches the session transcript',
    flags: [],
    run: async (context) => (await import('./worker.ts')).runFetchSessionCommand(context),
  },
  {
    path: ['worker'],
    summary: 'The worker Pod program',
    flags: [
      {
        name: 'runtime',
        type: 'string',
        default: '',
        choices: ['', 'claude', 'codex', 'copilot'],
        description: 'agent runtime (else ORKA_AGENT_RUNTIME)',
      },
    ],
    run: async (context) => (await import('./worker.ts')).runWorkerCommand(context),
  },
];
