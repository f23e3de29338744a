// Server-side field validation of custom resources (`?fieldValidation=`) and the OpenAPI v3
// documents kubectl reads to learn that the server validates, over real HTTPS.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { type KubeStandin, startKubeStandin } from '../../kube/index.ts';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  warnings: string[];
}

const gadgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.example.com' },
  spec: {
    group: 'example.com',
    names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  size: { type: 'string' },
                  parts: {
                    type: 'array',
                    items: { type: 'object', properties: { name: { type: 'string' } } },
                  },
                  free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                },
              },
            },
          },
        },
      },
    ],
  },
};

const GADGETS = '/apis/example.com/v1/namespaces/default/gadgets';

const gadget = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'example.com/v1',
  kind: 'Gadget',
  metadata: { name },
  spec,
});

describe('kube stand-in: fieldValidation and OpenAPI v3', () => {
  let standin: KubeStandin;

  function request(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<Answer> {
    const url = new URL(path, standin.url);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          ca: standin.caPem,
          headers: {
            authorization: `Bearer ${standin.adminToken}`,
            'content-type': contentType,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => {
            const warning = res.headers.warning;
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(text) as Record<string, unknown>,
              warnings: warning === undefined ? [] : [warning].flat(),
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  before(async () => {
    standin = await startKubeStandin();
    const created = await request(
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      gadgetCrd,
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });
  after(() => standin.stop());

  const strictRefusals: [string, Record<string, unknown>, string][] = [
    ['a top-level spec field', { size: 's', colour: 'red' }, 'unknown field "spec.colour"'],
    [
      'a field inside a list item',
      { parts: [{ name: 'a' }, { name: 'b', weight: 2 }] },
      'unknown field "spec.parts[1].weight"',
    ],
    [
      'two fields, both named',
      { x: 1, y: 2 },
      'strict decoding error: unknown field "spec.x", unknown field "spec.y"',
    ],
  ];
  for (const [what, spec, message] of strictRefusals) {
    test(`Strict refuses ${what} with 400 in the decoder's words`, async () => {
      const answer = await request('POST', `${GADGETS}?fieldValidation=Strict`, gadget('g', spec));
      assert.equal(answer.status, 400);
      assert.equal(answer.body.reason, 'BadRequest');
      const text = String(answer.body.message);
      assert.ok(
        text.startsWith('Gadget in version "v1" cannot be handled as a Gadget: strict decoding'),
        text,
      );
      assert.ok(text.includes(message), text);
      const listed = await request('GET', GADGETS);
      assert.deepEqual(listed.body.items, [], 'nothing was stored');
    });
  }

  test('Strict accepts fields under x-kubernetes-preserve-unknown-fields', async () => {
    const answer = await request(
      'POST',
      `${GADGETS}?fieldValidation=Strict&dryRun=All`,
      gadget('free', { free: { anything: { goes: true } } }),
    );
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
  });

  test('Warn admits the object pruned and names each unknown field in a Warning', async () => {
    const answer = await request(
      'POST',
      `${GADGETS}?fieldValidation=Warn`,
      gadget('warned', { size: 'm', colour: 'red' }),
    );
    assert.equal(answer.status, 201);
    assert.deepEqual(answer.body.spec, { size: 'm' });
    assert.ok(
      answer.warnings.some((warning) => warning.includes('unknown field \\"spec.colour\\"')),
      JSON.stringify(answer.warnings),
    );
  });

  test('Ignore, or no directive, prunes silently', async () => {
    for (const [name, query] of [
      ['ignored', '?fieldValidation=Ignore'],
      ['plain', ''],
    ] as const) {
      const answer = await request('POST', `${GADGETS}${query}`, gadget(name, { colour: 'red' }));
      assert.equal(answer.status, 201, name);
      assert.deepEqual(answer.body.spec, {}, name);
      assert.deepEqual(answer.warnings, [], name);
    }
  });

  test('Strict refuses a merge patch that adds an unknown field, and keeps the object', async () => {
    const answer = await request(
      'PATCH',
      `${GADGETS}/plain?fieldValidation=Strict`,
      { spec: { colour: 'blue' } },
      'application/merge-patch+json',
    );
    assert.equal(answer.status, 400);
    assert.match(String(answer.body.message), /unknown field "spec\.colour"/);
    const stored = await request('GET', `${GADGETS}/plain`);
    assert.deepEqual(stored.body.spec, {});
  });

  test('an unsupported directive is a 400 naming the supported ones', async () => {
    const answer = await request('POST', `${GADGETS}?fieldValidation=Loose`, gadget('l', {}));
    assert.equal(answer.status, 400);
    assert.equal(
      answer.body.message,
      'fieldValidation: Unsupported value: "Loose": supported values: "Ignore", "Strict", "Warn"',
    );
  });

  test('/openapi/v3 lists each served group-version, built-in and custom', async () => {
    const root = await request('GET', '/openapi/v3');
    assert.equal(root.status, 200);
    const paths = root.body.paths as Record<string, { serverRelativeURL: string }>;
    for (const key of ['api/v1', 'apis/apps/v1', 'apis/example.com/v1']) {
      assert.match(paths[key]?.serverRelativeURL ?? '', new RegExp(`^/openapi/v3/${key}\\?hash=`));
    }
  });

  const patchOperations: [string, string, Record<string, string>][] = [
    [
      '/openapi/v3/apis/apps/v1',
      '/apis/apps/v1/namespaces/{namespace}/deployments/{name}',
      { group: 'apps', version: 'v1', kind: 'Deployment' },
    ],
    [
      '/openapi/v3/apis/admissionregistration.k8s.io/v1',
      '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/{name}',
      {
        group: 'admissionregistration.k8s.io',
        version: 'v1',
        kind: 'ValidatingWebhookConfiguration',
      },
    ],
    [
      '/openapi/v3/api/v1',
      '/api/v1/namespaces/{namespace}/services/{name}',
      { group: '', version: 'v1', kind: 'Service' },
    ],
    [
      '/openapi/v3/apis/example.com/v1',
      '/apis/example.com/v1/namespaces/{namespace}/gadgets/{name}',
      { group: 'example.com', version: 'v1', kind: 'Gadget' },
    ],
  ];
  for (const [document, path, gvk] of patchOperations) {
    test(`${document}: PATCH of ${gvk.kind} takes fieldValidation`, async () => {
      const answer = await request('GET', document);
      assert.equal(answer.status, 200);
      const operation = (
        answer.body.paths as Record<
          string,
          { patch?: { parameters: Array<{ name: string; in: string }> } }
        >
      )[path]?.patch as Record<string, unknown> | undefined;
      assert.ok(operation, `${path} has a PATCH operation`);
      assert.deepEqual(operation['x-kubernetes-group-version-kind'], gvk);
      const parameters = operation.parameters as Array<{ name: string; in: string }>;
      assert.ok(parameters.some((p) => p.name === 'fieldValidation' && p.in === 'query'));
    });
  }

  test('a group-version that is not served has no document', async () => {
    for (const path of ['/openapi/v3/apis/example.com/v9', '/openapi/v2', '/openapi/v3/apis']) {
      const answer = await request('GET', path);
      assert.equal(answer.status, 404, path);
    }
  });
});
