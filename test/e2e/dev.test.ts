// End to end against a real cluster: `orka dev` runs as a child process with ORKA_E2E_KUBECONFIG,
// every seed manifest (examples/seeds) is written through the apiserver and its admission calls,
// every invalid variant (examples/invalid) is refused with an error naming its `# expect:` path,
// and the controller gives allowed Tasks a status and a Job. Without ORKA_E2E_KUBECONFIG every
// test is skipped and says why.
//   ORKA_E2E_KUBECONFIG   kubeconfig of the cluster (required to run)
//   ORKA_E2E_HOST         address of this machine as the apiserver reaches it (default 127.0.0.1;
//                         a kind cluster reaches the host at the Docker bridge address)
//   ORKA_E2E_WEBHOOK_PORT / ORKA_E2E_API_PORT  (default 9443 / 8080)
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { DevCluster, type KubeAnswer } from '../../webhooks/dev-cluster.ts';
import { eventually } from '../helpers/eventually.ts';
import { type DevChild, startDevChild } from '../integration/dev/child.ts';

const KUBECONFIG = process.env.ORKA_E2E_KUBECONFIG ?? '';
const skip = KUBECONFIG === '' ? 'ORKA_E2E_KUBECONFIG not set: skipping real-cluster e2e' : false;
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const EXPECT_LINE = /^#\s*expect:\s*(\S+)\s*$/m;
/** A real cluster schedules and starts things in its own time; each probe is an apiserver call. */
const CLUSTER_POLL = { timeoutMs: 120_000, intervalMs: 500 };

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
};

interface Example {
  file: string;
  manifest: Manifest;
  /** the field path the refusal must name (invalid examples only) */
  expect?: string;
}

const PLURALS: Record<string, { plural: string; namespaced: boolean }> = {
  'core.orka.ai/Task': { plural: 'tasks', namespaced: true },
  'core.orka.ai/Agent': { plural: 'agents', namespaced: true },
  'policy.orka.ai/AdmissionPolicy': { plural: 'admissionpolicies', namespaced: false },
};

async function examples(folder: string): Promise<Example[]> {
  const dir = join(EXAMPLES, folder);
  const found: Example[] = [];
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.yaml')).sort()) {
    const text = await readFile(join(dir, file), 'utf8');
    const expect = EXPECT_LINE.exec(text)?.[1];
    for (const document of parseAllDocuments(text)) {
      const manifest = document.toJS() as Manifest | null;
      if (manifest) found.push({ file, manifest, ...(expect ? { expect } : {}) });
    }
  }
  return found;
}

/** The collection path of a manifest's kind; undefined for a kind Orka does not serve. */
function collectionOf(manifest: Manifest, namespace: string): string | undefined {
  const group = manifest.apiVersion.split('/')[0]!;
  const type = PLURALS[`${group}/${manifest.kind}`];
  if (!type) return undefined;
  const scope = type.namespaced ? `/namespaces/${namespace}` : '';
  return `/apis/${manifest.apiVersion}${scope}/${type.plural}`;
}

const needsSandbox = (manifest: Manifest) =>
  manifest.kind === 'Task' &&
  (manifest.spec?.execution as { workspace?: { enabled?: unknown } } | undefined)?.workspace
    ?.enabled === true;

const messageOf = (answer: KubeAnswer) =>
  typeof answer.body.message === 'string' ? answer.body.message : JSON.stringify(answer.body);

describe('orka dev against ORKA_E2E_KUBECONFIG', () => {
  let cluster: DevCluster;
  let dev: DevChild;
  let dir: string;
  const namespace = `orka-e2e-${process.pid}`;
  const createdPolicies: string[] = [];

  before(async () => {
    if (skip) return;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(KUBECONFIG);
    cluster = new DevCluster(kubeConfig);
    dir = await mkdtemp(join(tmpdir(), 'orka-e2e-'));
    dev = startDevChild([
      '--kubeconfig',
      KUBECONFIG,
      '--host',
      process.env.ORKA_E2E_HOST ?? '127.0.0.1',
      '--webhook-port',
      process.env.ORKA_E2E_WEBHOOK_PORT ?? '9443',
      '--api-port',
      process.env.ORKA_E2E_API_PORT ?? '8080',
      '--store-path',
      join(dir, 'orka.db'),
      '--cert-dir',
      join(dir, 'certs'),
    ]);
    await dev.ready;
    await cluster.expect('POST', '/api/v1/namespaces', { metadata: { name: namespace } });
  });

  after(async () => {
    if (skip) return;
    for (const name of createdPolicies) {
      await cluster.request('DELETE', `/apis/policy.orka.ai/v1alpha1/admissionpolicies/${name}`);
    }
    await cluster?.request('DELETE', `/api/v1/namespaces/${namespace}`);
    const stopped = await dev?.stop('SIGTERM');
    await rm(dir, { recursive: true, force: true });
    assert.deepEqual(stopped, { code: 0, signal: null }, 'orka dev exits 0 on SIGTERM');
  });

  test('seed manifests: Agents and Tasks admitted (sandbox Tasks refused while disabled), requester stamped', {
    skip,
  }, async () => {
    const seeds = await examples('seeds');
    const ordered = [
      ...seeds.filter((seed) => seed.manifest.kind === 'Agent'),
      ...seeds.filter((seed) => seed.manifest.kind !== 'Agent'),
    ];
    assert.ok(ordered.length > 0, 'examples/seeds holds manifests');
    for (const { file, manifest } of ordered) {
      const path = collectionOf(manifest, namespace);
      assert.ok(path, `${file}: ${manifest.kind} is an Orka kind`);
      const answer = await cluster.request('POST', path, manifest);
      if (needsSandbox(manifest)) {
        assert.equal(answer.status, 403, `${file}: ${messageOf(answer)}`);
        assert.match(messageOf(answer), /orka-sandbox-workspace: /, file);
        continue;
      }
      assert.equal(answer.status, 201, `${file}: ${messageOf(answer)}`);
      if (manifest.kind === 'Task') {
        const requestedBy = (answer.body.spec as { requestedBy?: { username?: unknown } })
          .requestedBy;
        assert.equal(typeof requestedBy?.username, 'string', `${file}: requester stamped`);
      }
    }
  });

  test('invalid variants are refused with an error naming their path', { skip }, async () => {
    const invalid = await examples('invalid');
    assert.ok(invalid.length > 0, 'examples/invalid holds manifests');
    for (const { file, manifest, expect } of invalid) {
      assert.ok(expect, `${file} has an "# expect:" line`);
      const path = collectionOf(manifest, namespace);
      if (!path) {
        const discovery = await cluster.request('GET', `/apis/${manifest.apiVersion}`);
        const kinds = ((discovery.body.resources as Array<{ kind: string }>) ?? []).map(
          (resource) => resource.kind,
        );
        assert.ok(!kinds.includes(manifest.kind), `${file}: ${manifest.kind} is not served`);
        continue;
      }
      // kubectl's default: unknown fields are errors, not silently pruned.
      const answer = await cluster.request('POST', `${path}?fieldValidation=Strict`, manifest);
      if (answer.status === 201 && manifest.kind === 'AdmissionPolicy') {
        createdPolicies.push(manifest.metadata.name);
      }
      assert.ok(answer.status >= 400, `${file}: refused (got HTTP ${answer.status})`);
      // A map key reads `limits[memory]` in Orka's wording and `limits.memory` in the OpenAPI
      // validator's, which answers first on a real apiserver.
      const spellings = [expect, expect.replace(/\[([^\]]+)\]/g, '.$1')];
      assert.ok(
        spellings.some((spelling) => messageOf(answer).includes(spelling)),
        `${file}: the refusal names ${expect}: ${messageOf(answer)}`,
      );
    }
  });

  test('the controller gives admitted Tasks a status and a Job', { skip }, async () => {
    const tasks = `/apis/core.orka.ai/v1alpha1/namespaces/${namespace}/tasks`;
    const list = await cluster.expect('GET', tasks);
    const names = ((list.body.items as Manifest[]) ?? []).map((item) => item.metadata.name);
    assert.ok(names.length > 0, 'the seed test admitted Tasks');
    for (const name of names) {
      await eventually(
        `a status phase on Task ${name}`,
        async () => {
          const { body } = await cluster.expect('GET', `${tasks}/${name}`);
          return (body.status as { phase?: string } | undefined)?.phase;
        },
        CLUSTER_POLL,
      );
    }
    await eventually(
      'a Job owned by a seed Task',
      async () => {
        const { body } = await cluster.expect('GET', `/apis/batch/v1/namespaces/${namespace}/jobs`);
        const owned = (
          (body.items as Array<{ metadata: { ownerReferences?: unknown[] } }>) ?? []
        ).filter((job) => (job.metadata.ownerReferences ?? []).length > 0);
        return owned.length > 0 ? owned : undefined;
      },
      CLUSTER_POLL,
    );
  });
});
