import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiextensionsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import {
  type RunningPolicyStatusReconciler,
  startPolicyStatusReconciler,
} from '../../../reconcilers/policy-status/reconciler.ts';
import { silentLogger } from '../../../reconcilers/runtime/logger.ts';
import { buildCrd } from '../../../resources/crd.ts';
import { KINDS } from '../../../resources/kinds.ts';
import type { AdmissionPolicy, AdmissionPolicyStatus } from '../../../resources/types.ts';
import { componentKubeConfig, startStandinWithChartRbac } from '../../helpers/chart-rbac.ts';
import { eventually } from '../../helpers/eventually.ts';
import type { KubeStandin } from '../../kube/index.ts';

const GROUP = 'policy.orka.ai';
const VERSION = 'v1alpha1';
const PLURAL = 'admissionpolicies';
const TASK = 'core.orka.ai/v1alpha1, Kind=Task';

function policy(name: string, expression: string): AdmissionPolicy {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'AdmissionPolicy',
    metadata: { name },
    spec: {
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: ['core.orka.ai'],
            apiVersions: ['*'],
            resources: ['tasks'],
            operations: ['CREATE', 'UPDATE'],
          },
        ],
      },
      validations: [{ expression }],
    },
  } as AdmissionPolicy;
}

describe('AdmissionPolicy status against the stand-in (no webhooks: bad policies get stored)', () => {
  let standin: KubeStandin;
  let custom: CustomObjectsApi;
  let reconciler: RunningPolicyStatusReconciler;

  const read = async (name: string) =>
    (await custom.getClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      name,
    })) as AdmissionPolicy;

  /** Polls until the status describes the current generation; fails naming what it last saw. */
  async function settledStatus(name: string): Promise<{
    status: AdmissionPolicyStatus;
    generation: number | undefined;
  }> {
    let last: AdmissionPolicy | undefined;
    return eventually(
      () => `a settled status of ${name}; last seen ${JSON.stringify(last)}`,
      async () => {
        last = await read(name);
        const status = last.status;
        return status?.conditions && status.observedGeneration === last.metadata?.generation
          ? { status, generation: last.metadata?.generation }
          : undefined;
      },
    );
  }

  const create = (body: AdmissionPolicy) =>
    custom.createClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, body });

  before(async () => {
    standin = await startStandinWithChartRbac();
    const extensions = standin.kubeConfig.makeApiClient(ApiextensionsV1Api);
    for (const info of KINDS) {
      await extensions.createCustomResourceDefinition({ body: buildCrd(info) as never });
    }
    custom = standin.kubeConfig.makeApiClient(CustomObjectsApi);
    await create(policy('good', "object.spec.prompt != ''"));
    reconciler = await startPolicyStatusReconciler(componentKubeConfig(standin), {
      log: silentLogger,
      resyncMs: 0,
    });
  });

  after(async () => {
    await reconciler.stop();
    await standin.stop();
  });

  test('a policy that compiles is Ready/Compiled with no warnings', async () => {
    const { status, generation } = await settledStatus('good');
    assert.equal(status.observedGeneration, generation);
    assert.deepEqual(
      status.conditions?.map(({ type, status, reason, message }) => ({
        type,
        status,
        reason,
        message,
      })),
      [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Compiled',
          message: 'the policy compiled and is in force',
        },
      ],
    );
    assert.match(status.conditions?.[0]?.lastTransitionTime ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(status.typeChecking, { expressionWarnings: [] });
  });

  test('a policy that does not compile is Ready=False/CompileError with the errors', async () => {
    await create(policy('bad', "request.namex == 'x'"));
    const { status } = await settledStatus('bad');
    const ready = status.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'CompileError');
    assert.equal(
      ready?.message,
      "spec.validations[0].expression: undefined field 'namex' (line 1, column 9)",
    );
  });

  test('type-check warnings are written as status.typeChecking.expressionWarnings', async () => {
    await create(policy('warned', "object.spec.promt != ''"));
    const { status } = await settledStatus('warned');
    assert.equal(status.conditions?.[0]?.status, 'True');
    assert.deepEqual(status.typeChecking?.expressionWarnings, [
      {
        fieldRef: 'spec.validations[0].expression',
        warning: `${TASK}: undefined field 'promt' (line 1, column 13)`,
      },
    ]);
  });

  test('fixing a policy turns it Ready, for the new generation', async () => {
    const broken = await settledStatus('bad');
    const current = await read('bad');
    await custom.replaceClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      name: 'bad',
      body: { ...policy('bad', "request.name == 'x'"), metadata: current.metadata },
    });
    const fixed = await settledStatus('bad');
    assert.notEqual(fixed.generation, broken.generation);
    assert.equal(fixed.status.observedGeneration, fixed.generation);
    assert.equal(fixed.status.conditions?.[0]?.status, 'True');
    assert.equal(fixed.status.conditions?.[0]?.reason, 'Compiled');
  });

  test('status goes through the status subresource only', () => {
    const updates = standin.requestLog.filter(
      (record) => record.verb === 'update' && record.resource === PLURAL,
    );
    const statusWrites = updates.filter((record) => record.subresource === 'status');
    assert.ok(statusWrites.length >= 4, `expected status writes, saw ${statusWrites.length}`);
    // the one update of a policy itself is this test's fix of "bad"
    assert.deepEqual(
      updates.filter((record) => record.subresource !== 'status').map((record) => record.name),
      ['bad'],
    );
  });
});
