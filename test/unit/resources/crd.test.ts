import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { buildCrd, crdFileName, renderAllCrds } from '../../../resources/crd.ts';
import { KINDS } from '../../../resources/kinds.ts';
import { ruleByText } from '../../../resources/schemas/rules.ts';

const crdDir = new URL('../../../charts/orka/crds/', import.meta.url);

type Node = Record<string, unknown>;

/** Every schema node of a CRD with its path, walking properties, map values and items. */
function* nodes(schema: Node, path: string): Generator<[string, Node]> {
  yield [path, schema];
  for (const [name, child] of Object.entries((schema.properties as Record<string, Node>) ?? {})) {
    yield* nodes(child, `${path}.${name}`);
  }
  if (typeof schema.additionalProperties === 'object') {
    yield* nodes(schema.additionalProperties as Node, `${path}[*]`);
  }
  if (typeof schema.items === 'object') yield* nodes(schema.items as Node, `${path}[]`);
}

const openApiSchemas = KINDS.map((info) => {
  const crd = parse(readFileSync(new URL(crdFileName(info), crdDir), 'utf8'));
  return { info, crd, schema: crd.spec.versions[0].schema.openAPIV3Schema as Node };
});

describe('generated CRDs', () => {
  test('the committed files equal what the schemas generate (run `npm run generate`)', () => {
    for (const { fileName, content } of renderAllCrds()) {
      assert.equal(readFileSync(new URL(fileName, crdDir), 'utf8'), content, fileName);
    }
  });

  test('file names, group, scope, names and status subresource', () => {
    assert.deepEqual(KINDS.map(crdFileName), [
      'core.orka.ai_agents.yaml',
      'core.orka.ai_tasks.yaml',
      'policy.orka.ai_admissionpolicies.yaml',
    ]);
    for (const { info, crd } of openApiSchemas) {
      assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
      assert.equal(crd.metadata.name, `${info.plural}.${info.group}`);
      assert.equal(crd.spec.scope, info.kind === 'AdmissionPolicy' ? 'Cluster' : 'Namespaced');
      assert.deepEqual(crd.spec.names.categories, ['orka']);
      assert.deepEqual(crd.spec.versions[0].subresources, { status: {} });
      assert.equal(crd.spec.versions[0].storage, true);
    }
  });

  test('printer columns include those of reference §1.1/§1.3 and the Task phase', () => {
    const columns = (kind: string) =>
      openApiSchemas
        .find(({ info }) => info.kind === kind)!
        .crd.spec.versions[0].additionalPrinterColumns.map((c: Node) => `${c.name}=${c.jsonPath}`);
    for (const column of [
      'Provider=.spec.model.provider',
      'Model=.spec.model.name',
      'Ready=.status.ready',
      'Active=.status.activeTasks',
      'Age=.metadata.creationTimestamp',
    ]) {
      assert.ok(columns('Agent').includes(column), column);
    }
    for (const column of ['Type=.spec.type', 'Phase=.status.phase', 'Priority=.spec.priority']) {
      assert.ok(columns('Task').includes(column), column);
    }
  });

  test('short names do not collide with built-in Kubernetes short names', () => {
    const builtin = [
      'po',
      'svc',
      'deploy',
      'ds',
      'sts',
      'rs',
      'cm',
      'ns',
      'no',
      'pv',
      'pvc',
      'sa',
      'ing',
      'netpol',
      'pdb',
      'hpa',
      'ep',
      'ev',
      'rc',
      'crd',
      'crds',
      'pc',
      'sc',
      'csr',
      'limits',
      'quota',
      'cj',
      'ap',
    ];
    const ours = KINDS.flatMap((info) => info.shortNames);
    assert.deepEqual(ours, ['oag', 'otask', 'oap']);
    for (const name of ours) assert.ok(!builtin.includes(name), name);
  });

  test('structural: every node has a type, int-or-string or preserve-unknown-fields', () => {
    for (const { info, schema } of openApiSchemas) {
      for (const [path, node] of nodes(schema, info.kind)) {
        const typed =
          typeof node.type === 'string' ||
          node['x-kubernetes-int-or-string'] === true ||
          node['x-kubernetes-preserve-unknown-fields'] === true;
        assert.ok(typed, `${path} has no type`);
        if (node['x-kubernetes-int-or-string'] !== true) assert.equal(node.anyOf, undefined, path);
      }
    }
  });

  test('structural: no additionalProperties beside properties, no $id/$schema/TypeBox leftovers', () => {
    for (const { info, schema } of openApiSchemas) {
      for (const [path, node] of nodes(schema, info.kind)) {
        assert.ok(!('properties' in node && 'additionalProperties' in node), path);
        for (const key of Object.keys(node)) assert.ok(!key.startsWith('$'), `${path}: ${key}`);
        assert.equal(node.patternProperties, undefined, path);
      }
    }
    const generated = JSON.stringify(KINDS.map(buildCrd));
    for (const leftover of ['$id', '$schema', 'TypeBox', '"Kind"', 'patternProperties']) {
      assert.ok(!generated.includes(leftover), leftover);
    }
  });

  test('every default validates against its own schema', () => {
    const ajv = new Ajv({ strict: false });
    addFormats.default(ajv);
    let defaults = 0;
    for (const { info, schema } of openApiSchemas) {
      for (const [path, node] of nodes(schema, info.kind)) {
        if (node.default === undefined) continue;
        defaults += 1;
        const { default: value, ...own } = node;
        assert.ok(ajv.validate(own, value), `${path}: default ${JSON.stringify(value)}`);
      }
    }
    assert.ok(defaults >= 15, `only ${defaults} defaults found`);
  });

  test('every x-kubernetes-validations rule has its TypeScript twin with the same message', () => {
    const found: string[] = [];
    for (const { info, schema } of openApiSchemas) {
      for (const [, node] of nodes(schema, info.kind)) {
        for (const rule of (node['x-kubernetes-validations'] as Node[] | undefined) ?? []) {
          assert.equal(ruleByText(String(rule.rule)).message, rule.message);
          found.push(String(rule.message));
        }
      }
    }
    for (const message of ['requestedBy is immutable', 'transaction is immutable']) {
      assert.ok(found.includes(message), message);
    }
    assert.ok(found.some((m) => m.startsWith('ref and branch are mutually exclusive')));
  });

  test('the immutability rules are the exact transition rules of reference §1.3', () => {
    const task = openApiSchemas.find(({ info }) => info.kind === 'Task')!;
    const spec = (task.schema.properties as Record<string, Node>).spec!;
    const rules = spec['x-kubernetes-validations'] as Node[];
    assert.deepEqual(rules.slice(0, 2), [
      {
        rule: 'has(self.requestedBy) == has(oldSelf.requestedBy) && (!has(self.requestedBy) || self.requestedBy == oldSelf.requestedBy)',
        message: 'requestedBy is immutable',
      },
      {
        rule: 'has(self.transaction) == has(oldSelf.transaction) && (!has(self.transaction) || self.transaction == oldSelf.transaction)',
        message: 'transaction is immutable',
      },
    ]);
  });

  test('Task type is agent or ai only; timeout has the Go duration pattern', () => {
    const task = openApiSchemas.find(({ info }) => info.kind === 'Task')!;
    const spec = (task.schema.properties as Record<string, Node>).spec!;
    const properties = spec.properties as Record<string, Node>;
    assert.deepEqual(properties.type!.enum, ['agent', 'ai']);
    assert.deepEqual(spec.required, ['type']);
    const pattern = new RegExp(String(properties.timeout!.pattern), 'u');
    for (const good of ['30m', '10m0s', '1h30m', '500ms', '0', '1.5h'])
      assert.ok(pattern.test(good), good);
    for (const bad of ['30', '1d', 'm', '-5m', '30 m', '']) assert.ok(!pattern.test(bad), bad);
  });
});
