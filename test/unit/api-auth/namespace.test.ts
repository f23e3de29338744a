import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuthType, Identity } from '../../../api/auth/identity.ts';
import { resolveNamespace, verifyCallerNamespace } from '../../../api/authz/namespace.ts';
import { type PodFacts, verifyWorkerBinding } from '../../../api/authz/worker-binding.ts';

function caller(authType: AuthType, namespace: string, username = 'someone'): Identity {
  return {
    authType,
    username,
    uid: '',
    groups: [],
    extra: {},
    subject: '',
    issuer: '',
    email: '',
    roles: [],
    namespace,
    contextToken: null,
  };
}

const sa = caller('serviceAccount', 'team-a', 'system:serviceaccount:team-a:orka-client');
const oidcBound = caller('oidc', 'team-b');
const oidcUnbound = caller('oidc', '');
const ctxBound = caller('contextToken', 'team-c');

describe('namespace resolution and isolation matrix (reference §4.4, X13/X16)', () => {
  const rows: {
    who: Identity;
    explicit: string;
    watch?: string;
    isolate: boolean;
    expect: string | { status: number; message: string };
  }[] = [
    { who: sa, explicit: '', isolate: false, expect: 'team-a' },
    { who: sa, explicit: 'other', isolate: false, expect: 'other' },
    { who: oidcUnbound, explicit: '', isolate: false, expect: 'default' },
    { who: oidcBound, explicit: '', isolate: false, expect: 'team-b' },
    { who: sa, explicit: '', isolate: true, expect: 'team-a' },
    {
      who: sa,
      explicit: 'other',
      isolate: true,
      expect: { status: 403, message: 'namespace "other" not allowed, restricted to "team-a"' },
    },
    { who: oidcBound, explicit: 'team-b', isolate: true, expect: 'team-b' },
    {
      who: oidcBound,
      explicit: 'team-a',
      isolate: true,
      expect: { status: 403, message: 'namespace "team-a" not allowed, restricted to "team-b"' },
    },
    { who: ctxBound, explicit: '', isolate: true, expect: 'team-c' },
    {
      who: ctxBound,
      explicit: 'team-a',
      isolate: true,
      expect: { status: 403, message: 'namespace "team-a" not allowed, restricted to "team-c"' },
    },
    {
      who: oidcUnbound,
      explicit: 'team-a',
      isolate: true,
      expect: {
        status: 403,
        message: 'namespace "team-a" not allowed, caller is not bound to a namespace',
      },
    },
    { who: sa, explicit: '', watch: 'watched', isolate: false, expect: 'watched' },
    { who: sa, explicit: 'watched', watch: 'watched', isolate: false, expect: 'watched' },
    {
      who: sa,
      explicit: 'other',
      watch: 'watched',
      isolate: false,
      expect: { status: 403, message: 'namespace not allowed' },
    },
    {
      who: sa,
      explicit: '',
      watch: 'watched',
      isolate: true,
      expect: { status: 403, message: 'namespace "watched" not allowed, restricted to "team-a"' },
    },
  ];
  for (const row of rows) {
    const label = `${row.who.authType}(${row.who.namespace || '-'}) asks "${row.explicit}" watch=${row.watch ?? '-'} isolation=${row.isolate}`;
    test(label, () => {
      const result = resolveNamespace(
        { watchNamespace: row.watch ?? '', enforceIsolation: row.isolate },
        row.who,
        row.explicit,
        '10.1.2.3',
      );
      if (typeof row.expect === 'string') {
        assert.deepEqual(result, { ok: true, namespace: row.expect });
      } else {
        assert.equal(result.ok, false);
        if (result.ok) return;
        assert.equal(result.status, row.expect.status);
        assert.equal(result.message, row.expect.message);
        assert.equal(result.event?.fields.ip, '10.1.2.3');
      }
    });
  }

  test('isolation events carry identity and IP', () => {
    const result = resolveNamespace(
      { watchNamespace: '', enforceIsolation: true },
      sa,
      'x',
      '1.1.1.1',
    );
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(result.event, {
      level: 'warn',
      msg: 'namespace access denied: isolation violation',
      fields: {
        username: sa.username,
        authType: 'serviceAccount',
        userNamespace: 'team-a',
        requestedNamespace: 'x',
        ip: '1.1.1.1',
      },
    });
  });
});

describe('internal endpoints: caller namespace must be the URL namespace (X12)', () => {
  const rows: { who: Identity | null; target: string; status?: number; message?: string }[] = [
    { who: null, target: 'team-a', status: 401, message: 'authentication required' },
    { who: sa, target: 'team-a' },
    { who: sa, target: 'team-b', status: 403, message: 'cross-namespace access denied' },
    {
      who: caller('serviceAccount', '', 'system:serviceaccount:team-b:w'),
      target: 'team-a',
      status: 403,
      message: 'cross-namespace access denied',
    },
    {
      who: caller('serviceAccount', '', 'kubernetes-admin'),
      target: 'team-a',
      status: 403,
      message: 'cross-namespace access denied',
    },
  ];
  for (const [i, row] of rows.entries()) {
    test(`row ${i}: ${row.who?.username ?? 'anonymous'} → ${row.target}`, () => {
      const result = verifyCallerNamespace(row.who, row.target, '10.0.0.9');
      if (row.status === undefined)
        return assert.deepEqual(result, { ok: true, namespace: row.target });
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.status, row.status);
      assert.equal(result.message, row.message);
    });
  }
});

describe('worker binding: the token pod claim must name a Pod of the Task Job', () => {
  const worker: Identity = {
    ...caller('serviceAccount', 'team-a', 'system:serviceaccount:team-a:orka-worker'),
    extra: {
      'authentication.kubernetes.io/pod-name': ['fix-tests-job-x1'],
      'authentication.kubernetes.io/pod-uid': ['pod-uid-1'],
    },
  };
  const task = { name: 'fix-tests', namespace: 'team-a', jobName: 'fix-tests-job' };
  const pod = (patch: Partial<PodFacts> = {}): PodFacts => ({
    name: 'fix-tests-job-x1',
    namespace: 'team-a',
    uid: 'pod-uid-1',
    serviceAccountName: 'orka-worker',
    ownerReferences: [
      { apiVersion: 'batch/v1', kind: 'Job', name: 'fix-tests-job', controller: true },
    ],
    ...patch,
  });
  const rows: {
    name: string;
    who?: Identity;
    pod?: PodFacts | null;
    jobName?: string;
    reason?: string;
  }[] = [
    { name: 'the Task own pod' },
    { name: 'no pod claim', who: { ...worker, extra: {} }, reason: 'token is not bound to a pod' },
    { name: 'an OIDC caller', who: caller('oidc', 'team-a'), reason: 'not a ServiceAccount token' },
    {
      name: 'SA of another namespace',
      who: { ...worker, username: 'system:serviceaccount:team-b:orka-worker' },
      reason: 'ServiceAccount of another namespace',
    },
    { name: 'pod not found', pod: null, reason: 'pod "fix-tests-job-x1" not found' },
    {
      name: 'replaced pod',
      pod: pod({ uid: 'pod-uid-2' }),
      reason: 'pod was replaced since the token was issued',
    },
    {
      name: 'other ServiceAccount',
      pod: pod({ serviceAccountName: 'default' }),
      reason: 'pod runs as another ServiceAccount',
    },
    {
      name: 'pod of another Task Job',
      pod: pod({
        ownerReferences: [
          { apiVersion: 'batch/v1', kind: 'Job', name: 'other-job', controller: true },
        ],
      }),
      reason: 'pod is not owned by job "fix-tests-job"',
    },
    { name: 'Task without a Job', jobName: '', reason: 'task has no job' },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const result = verifyWorkerBinding(
        row.who ?? worker,
        { ...task, jobName: row.jobName ?? task.jobName },
        row.pod === undefined ? pod() : row.pod,
        '10.0.0.7',
      );
      if (row.reason === undefined) return assert.deepEqual(result, { ok: true });
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.status, 403);
      assert.equal(result.reason, row.reason);
      assert.equal(result.event.fields.ip, '10.0.0.7');
    });
  }
});
