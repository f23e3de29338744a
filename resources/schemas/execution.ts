// ExecutionSpec (reference §1.4), shared by Agent.spec.execution and Task.spec.execution, and the
// git WorkspaceConfig of Task.spec.workspace / Task.spec.agentRuntime.workspace.
import { Type } from '@sinclair/typebox';
import { Affinity, Toleration } from './kubernetes.ts';
import { celRules, rules } from './rules.ts';
import { Obj, StringEnum, StringMap } from './shapes.ts';

export const SandboxWorkspaceRequest = Obj(
  {
    enabled: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'Run the agent inside an agent-sandbox workspace (needs the controller flag --agent-sandbox-enabled). Honoured on Tasks only: an Agent that sets it makes its Tasks fail.',
      }),
    ),
    templateRef: Type.Optional(
      Obj(
        {
          name: Type.Optional(
            Type.String({
              description:
                'SandboxTemplate to instantiate or reuse; defaults to --agent-sandbox-default-template.',
            }),
          ),
          namespace: Type.Optional(
            Type.String({
              description:
                "Namespace of the template and of the claim; defaults to the Task's namespace (or the controller's with namespace strategy controller).",
            }),
          ),
        },
        { description: 'The SandboxTemplate of the workspace.' },
      ),
    ),
    reusePolicy: Type.Optional(
      StringEnum(['none', 'session'], {
        default: 'none',
        description:
          'none: a fresh workspace; session: a workspace keyed by spec.sessionRef.name that later Tasks of the session reattach to when retained.',
      }),
    ),
    cleanupPolicy: Type.Optional(
      StringEnum(['delete', 'retain'], {
        description:
          'What happens to the workspace afterwards; defaults to --agent-sandbox-cleanup-policy (delete).',
      }),
    ),
  },
  { description: 'A durable agent-sandbox workspace request (experimental).' },
);

export const ExecutionSpec = Obj(
  {
    runtimeClassName: Type.Optional(
      Type.String({
        description: 'RuntimeClass of the worker Pod (e.g. gvisor, kata-qemu). A Task value wins.',
      }),
    ),
    nodeSelector: Type.Optional(
      StringMap(Type.String(), {
        description: "Node labels the worker Pod requires. A Task's value replaces the Agent's.",
      }),
    ),
    tolerations: Type.Optional(
      Type.Array(Toleration, {
        description: "Tolerations of the worker Pod. A Task's list replaces the Agent's.",
      }),
    ),
    affinity: Type.Optional(Affinity),
    workspace: Type.Optional(SandboxWorkspaceRequest),
  },
  {
    description:
      "Runtime and placement of the worker Pod. Agent values are defaults; a Task's runtimeClassName wins when non-empty and its nodeSelector, tolerations and affinity replace the Agent's when set (an explicit empty value clears them).",
  },
);

export const WorkspaceConfig = Obj(
  {
    gitRepo: Type.Optional(Type.String({ description: 'Git repository cloned into /workspace.' })),
    branch: Type.Optional(
      Type.String({ description: 'Branch to check out. Mutually exclusive with ref.' }),
    ),
    ref: Type.Optional(
      Type.String({
        description: 'Commit SHA or tag to check out. Mutually exclusive with branch.',
      }),
    ),
    gitSecretRef: Type.Optional(
      Obj(
        { name: Type.Optional(Type.String({ default: '', description: 'Name of the Secret.' })) },
        {
          description:
            'Secret in the same namespace with git credentials (keys username and password) for private repositories.',
        },
      ),
    ),
    subPath: Type.Optional(
      Type.String({ description: 'Subdirectory of the repository used as the workspace root.' }),
    ),
    forkRepo: Type.Optional(Type.String({ description: 'Writable fork used as the push remote.' })),
    prBaseBranch: Type.Optional(
      Type.String({ description: 'Upstream branch that pull requests target.' }),
    ),
    pushBranch: Type.Optional(
      Type.String({ description: 'Branch the worker commits and pushes to when the Task ends.' }),
    ),
  },
  {
    description: 'Git checkout of the worker: cloned into /workspace before the agent runs.',
    ...celRules(rules.workspaceRefXorBranch),
  },
);
