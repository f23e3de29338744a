import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALICE, CONTROLLER, denialsBy, type Request, stamped, task } from './harness.ts';

const POLICY = 'orka-task-provenance';
const CREATE_DENIED = 'direct Task create cannot set Orka-managed provenance fields: ';
const UPDATE_DENIED = 'direct Task update cannot modify Orka-managed provenance fields: ';

const TRANSACTION = {
  profile: 'kontxt',
  id: 'txn-1',
  issuer: 'https://tts.example.com',
  subject: 'ci-bot',
  scope: 'orka:tasks:create',
};

const ALL_LABELS = { 'orka.ai/transaction-id': 'txn-1', 'orka.ai/auth-profile': 'kontxt' };
const ALL_ANNOTATIONS = {
  'orka.ai/transaction-id': 'txn-1',
  'orka.ai/context-token-profile': 'kontxt',
  'orka.ai/transaction-issuer': 'https://tts.example.com',
  'orka.ai/transaction-subject': 'ci-bot',
  'orka.ai/transaction-requesting-workload': 'ci',
  'orka.ai/transaction-scope': 'orka:tasks:create',
  'orka.ai/transaction-context-digest': 'sha256:00',
  'orka.ai/requester-context-digest': 'sha256:01',
  'orka.ai/transaction-token-secret': 'fix-tests-txn-1',
  'orka.ai/transaction-token-pending': 'true',
  'orka.ai/transaction-token-pending-since': '2026-01-01T00:00:00Z',
};
const EVERY_FIELD = [
  'spec.requestedBy',
  'spec.transaction',
  'metadata.labels[orka.ai/transaction-id]',
  'metadata.labels[orka.ai/auth-profile]',
  'metadata.annotations[orka.ai/transaction-id]',
  'metadata.annotations[orka.ai/context-token-profile]',
  'metadata.annotations[orka.ai/transaction-issuer]',
  'metadata.annotations[orka.ai/transaction-subject]',
  'metadata.annotations[orka.ai/transaction-requesting-workload]',
  'metadata.annotations[orka.ai/transaction-scope]',
  'metadata.annotations[orka.ai/transaction-context-digest]',
  'metadata.annotations[orka.ai/requester-context-digest]',
  'metadata.annotations[orka.ai/transaction-token-secret]',
  'metadata.annotations[orka.ai/transaction-token-pending]',
  'metadata.annotations[orka.ai/transaction-token-pending-since]',
].join(', ');

const fullyStamped = task({
  metadata: { labels: ALL_LABELS, annotations: ALL_ANNOTATIONS },
  spec: { requestedBy: { username: 'ci-bot', subject: 'ci-bot' }, transaction: TRANSACTION },
});

interface Case extends Request {
  name: string;
  want: string[];
  /** what the schema answers (then alone: no policy validates after a schema failure) */
  schema?: string[];
}

const createCases: Case[] = [
  { name: 'a plain Task is stamped and admitted', object: task(), want: [] },
  {
    name: "the caller's own stamp is accepted",
    object: stamped(task()),
    want: [],
  },
  {
    name: "someone else's requestedBy is refused",
    object: stamped(task(), 'mallory'),
    want: [`${CREATE_DENIED}spec.requestedBy`],
  },
  {
    name: 'a requestedBy with other groups than the caller is refused',
    object: stamped(task(), ALICE, ['system:masters']),
    want: [`${CREATE_DENIED}spec.requestedBy`],
  },
  {
    name: 'a requestedBy with fields beyond the stamp is refused',
    object: task({ spec: { requestedBy: { username: ALICE, groups: [], subject: 'x' } } }),
    groups: [],
    want: [`${CREATE_DENIED}spec.requestedBy`],
  },
  {
    name: 'a stamp without groups matches a caller without groups',
    object: task({ spec: { requestedBy: { username: ALICE } } }),
    groups: [],
    want: [],
  },
  {
    name: 'spec.transaction is refused',
    object: task({ spec: { transaction: TRANSACTION } }),
    want: [`${CREATE_DENIED}spec.transaction`],
  },
  {
    name: 'a managed label is refused even with an empty value',
    object: task({ metadata: { labels: { 'orka.ai/transaction-id': '' } } }),
    want: [`${CREATE_DENIED}metadata.labels[orka.ai/transaction-id]`],
  },
  {
    name: 'a managed annotation is refused',
    object: task({ metadata: { annotations: { 'orka.ai/transaction-token-pending': 'true' } } }),
    want: [`${CREATE_DENIED}metadata.annotations[orka.ai/transaction-token-pending]`],
  },
  {
    name: 'every managed field is listed in the fixed order',
    object: fullyStamped,
    want: [`${CREATE_DENIED}${EVERY_FIELD}`],
  },
  {
    name: 'unrelated labels and annotations are free',
    object: task({
      metadata: {
        labels: { team: 'a', 'orka.ai/parent-task': 'p' },
        annotations: { 'orka.ai/parent-task-name': 'p', note: 'x' },
      },
    }),
    want: [],
  },
  {
    name: 'groups are never consulted',
    object: fullyStamped,
    groups: ['system:masters', 'system:serviceaccounts:orka-system'],
    want: [`${CREATE_DENIED}${EVERY_FIELD}`],
  },
  { name: 'the controller is trusted', object: fullyStamped, user: CONTROLLER, want: [] },
  {
    name: 'the username is trimmed before comparing',
    object: fullyStamped,
    user: ` ${CONTROLLER} `,
    want: [],
  },
  {
    name: 'a trusted user from the flag is trusted',
    object: fullyStamped,
    user: 'robot',
    flags: { 'task-provenance-admission-trusted-users': ['robot'] },
    want: [],
  },
  {
    name: 'the controller stays trusted when the trusted users are replaced',
    object: fullyStamped,
    user: CONTROLLER,
    flags: { 'task-provenance-admission-trusted-users': ['robot'] },
    want: [],
  },
  {
    name: 'the controller identity follows --controller-namespace',
    object: fullyStamped,
    user: 'system:serviceaccount:platform:orka',
    flags: { 'controller-namespace': 'platform' },
    want: [],
  },
  {
    name: 'the controller identity follows --controller-service-account',
    object: fullyStamped,
    user: 'system:serviceaccount:orka-system:orka-controller-manager',
    flags: { 'controller-service-account': 'orka-controller-manager' },
    want: [],
  },
  {
    name: 'the default controller name is not trusted once another is configured',
    object: fullyStamped,
    user: CONTROLLER,
    flags: { 'controller-service-account': 'orka-controller-manager' },
    want: [`${CREATE_DENIED}${EVERY_FIELD}`],
  },
  {
    name: 'the default namespace controller is not trusted under another controller namespace',
    object: fullyStamped,
    user: CONTROLLER,
    flags: { 'controller-namespace': 'platform' },
    want: [`${CREATE_DENIED}${EVERY_FIELD}`],
  },
  {
    name: "a trusted ServiceAccount in the Task's namespace is trusted",
    object: fullyStamped,
    user: 'system:serviceaccount:team-a:delegator',
    flags: { 'task-provenance-admission-trusted-service-accounts': ['delegator'] },
    want: [],
  },
  {
    name: 'a trusted ServiceAccount name in another namespace is not trusted',
    object: fullyStamped,
    user: 'system:serviceaccount:team-b:delegator',
    flags: { 'task-provenance-admission-trusted-service-accounts': ['delegator'] },
    want: [`${CREATE_DENIED}${EVERY_FIELD}`],
  },
  {
    name: 'no ServiceAccount is trusted by default',
    object: task({ spec: { transaction: TRANSACTION } }),
    user: 'system:serviceaccount:team-a:orka-vendor-worker',
    want: [`${CREATE_DENIED}spec.transaction`],
  },
  {
    name: 'an empty username is never trusted',
    object: task({ spec: { transaction: TRANSACTION } }),
    user: '',
    flags: { 'task-provenance-admission-trusted-users': [''] },
    want: [`${CREATE_DENIED}spec.transaction`],
  },
  {
    name: 'the policy is off with --task-provenance-admission-enabled=false',
    object: fullyStamped,
    flags: { 'task-provenance-admission-enabled': false },
    want: [],
  },
];

const existing = task({
  metadata: { labels: ALL_LABELS, annotations: ALL_ANNOTATIONS },
  spec: { requestedBy: { username: 'ci-bot' }, transaction: TRANSACTION },
});
const without = (record: Record<string, string>, key: string) =>
  Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));

const updateCases: Case[] = [
  {
    name: 'unrelated changes are free',
    oldObject: existing,
    object: task({
      metadata: { labels: ALL_LABELS, annotations: { ...ALL_ANNOTATIONS, note: 'x' } },
      spec: {
        requestedBy: { username: 'ci-bot' },
        transaction: TRANSACTION,
        prompt: 'Fix the tests',
      },
    }),
    want: [],
  },
  {
    name: 'adding a managed annotation is refused',
    oldObject: task(),
    object: task({ metadata: { annotations: { 'orka.ai/transaction-scope': 'x' } } }),
    want: [`${UPDATE_DENIED}metadata.annotations[orka.ai/transaction-scope]`],
  },
  {
    name: 'removing a managed label is refused',
    oldObject: existing,
    object: { ...existing, metadata: { ...(existing.metadata as object), labels: {} } },
    want: [
      `${UPDATE_DENIED}metadata.labels[orka.ai/transaction-id], metadata.labels[orka.ai/auth-profile]`,
    ],
  },
  {
    name: 'changing a managed annotation value is refused',
    oldObject: existing,
    object: {
      ...existing,
      metadata: {
        ...(existing.metadata as object),
        annotations: { ...ALL_ANNOTATIONS, 'orka.ai/transaction-issuer': 'https://evil' },
      },
    },
    want: [`${UPDATE_DENIED}metadata.annotations[orka.ai/transaction-issuer]`],
  },
  {
    name: 'changing requestedBy and removing the transaction: the schema alone refuses both',
    oldObject: existing,
    object: {
      ...existing,
      spec: {
        ...(existing.spec as object),
        requestedBy: { username: ALICE },
        transaction: undefined,
      },
    },
    want: [],
    schema: [
      'spec: Invalid value: "object": requestedBy is immutable',
      'spec: Invalid value: "object": transaction is immutable',
    ],
  },
  {
    name: 'the controller may remove the pending marks',
    oldObject: existing,
    object: {
      ...existing,
      metadata: {
        ...(existing.metadata as object),
        annotations: without(
          without(ALL_ANNOTATIONS, 'orka.ai/transaction-token-pending'),
          'orka.ai/transaction-token-pending-since',
        ),
      },
    },
    user: CONTROLLER,
    want: [],
  },
  {
    name: 'the same removal by anyone else is refused',
    oldObject: existing,
    object: {
      ...existing,
      metadata: {
        ...(existing.metadata as object),
        annotations: without(ALL_ANNOTATIONS, 'orka.ai/transaction-token-pending'),
      },
    },
    want: [`${UPDATE_DENIED}metadata.annotations[orka.ai/transaction-token-pending]`],
  },
  {
    name: 'status writes are not provenance writes',
    oldObject: task(),
    object: task({ metadata: { labels: { 'orka.ai/auth-profile': 'kontxt' } } }),
    subResource: 'status',
    want: [],
  },
];

describe('orka-task-provenance', () => {
  describe('CREATE', () => {
    for (const { name, want, schema = [], ...request } of createCases) {
      test(name, () => {
        assert.deepEqual(denialsBy(POLICY, request), want);
        assert.deepEqual(denialsBy('schema', request), schema);
      });
    }
  });
  describe('UPDATE', () => {
    for (const { name, want, schema = [], ...request } of updateCases) {
      test(name, () => {
        assert.deepEqual(denialsBy(POLICY, request), want);
        assert.deepEqual(denialsBy('schema', request), schema);
      });
    }
  });
  test('DELETE is not a provenance write', () => {
    assert.deepEqual(
      denialsBy(POLICY, { operation: 'DELETE', object: existing, oldObject: existing }),
      [],
    );
  });
});
