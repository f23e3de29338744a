// Offline validation of rendered Kubernetes objects. kubectl cannot validate without a cluster, so
// the objects are checked against @kubernetes/client-node's models: each model's attributeTypeMap
// gives the field names and types, its .d.ts which fields are required (declared without `?`).
// An unknown field, a wrong type or a missing required field is an error naming its path.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as kubernetes from '@kubernetes/client-node';

interface Attribute {
  baseName: string;
  type: string;
  format: string;
}

interface ModelClass {
  getAttributeTypeMap(): Attribute[];
}

/** The kinds the chart may render, by apiVersion and kind: their model and whether namespaced. */
export const RENDERABLE_KINDS: Readonly<Record<string, { model: string; namespaced: boolean }>> = {
  'v1/ServiceAccount': { model: 'V1ServiceAccount', namespaced: true },
  'v1/Service': { model: 'V1Service', namespaced: true },
  'v1/PersistentVolumeClaim': { model: 'V1PersistentVolumeClaim', namespaced: true },
  'apps/v1/Deployment': { model: 'V1Deployment', namespaced: true },
  'policy/v1/PodDisruptionBudget': { model: 'V1PodDisruptionBudget', namespaced: true },
  'networking.k8s.io/v1/NetworkPolicy': { model: 'V1NetworkPolicy', namespaced: true },
  'rbac.authorization.k8s.io/v1/Role': { model: 'V1Role', namespaced: true },
  'rbac.authorization.k8s.io/v1/RoleBinding': { model: 'V1RoleBinding', namespaced: true },
  'rbac.authorization.k8s.io/v1/ClusterRole': { model: 'V1ClusterRole', namespaced: false },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': {
    model: 'V1ClusterRoleBinding',
    namespaced: false,
  },
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': {
    model: 'V1MutatingWebhookConfiguration',
    namespaced: false,
  },
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': {
    model: 'V1ValidatingWebhookConfiguration',
    namespaced: false,
  },
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': {
    model: 'V1ValidatingAdmissionPolicy',
    namespaced: false,
  },
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': {
    model: 'V1ValidatingAdmissionPolicyBinding',
    namespaced: false,
  },
};

const models = kubernetes as unknown as Record<string, ModelClass | undefined>;
const modelsDir = join(
  dirname(createRequire(import.meta.url).resolve('@kubernetes/client-node')),
  'gen',
  'models',
);
const requiredCache = new Map<string, Set<string>>();

function requiredFields(model: string): Set<string> {
  let required = requiredCache.get(model);
  if (!required) {
    const declaration = readFileSync(join(modelsDir, `${model}.d.ts`), 'utf8');
    required = new Set([...declaration.matchAll(/^ {4}'([^']+)': /gm)].map((match) => match[1]!));
    requiredCache.set(model, required);
  }
  return required;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkValue(value: unknown, type: string, format: string, path: string, errors: string[]) {
  const describe = () => `${path}: expected ${type}, got ${JSON.stringify(value)}`;
  const array = /^Array<(.+)>$/.exec(type);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) errors.push(describe());
    else {
      for (const [i, item] of value.entries()) {
        checkValue(item, array[1]!, '', `${path}[${i}]`, errors);
      }
    }
  } else if (map) {
    if (!isPlainObject(value)) errors.push(describe());
    else {
      for (const [key, item] of Object.entries(value)) {
        checkValue(item, map[1]!, '', `${path}.${key}`, errors);
      }
    }
  } else if (type === 'string' || type === 'Date') {
    if (typeof value !== 'string') errors.push(describe());
  } else if (type === 'number') {
    const integral = format === 'int32' || format === 'int64';
    if (typeof value !== 'number' || (integral && !Number.isInteger(value)))
      errors.push(describe());
  } else if (type === 'boolean') {
    if (typeof value !== 'boolean') errors.push(describe());
  } else if (type === 'IntOrString') {
    if (typeof value !== 'string' && !Number.isInteger(value)) errors.push(describe());
  } else if (type === 'any' || type === 'object') {
    // Free-form by the API's own definition (e.g. RawExtension).
  } else if (models[type]) {
    checkModel(value, type, path, errors);
  } else {
    errors.push(`${path}: the validator does not know the type ${type}`);
  }
}

function checkModel(value: unknown, model: string, path: string, errors: string[]): void {
  if (!isPlainObject(value)) {
    errors.push(`${path}: expected an object (${model}), got ${JSON.stringify(value)}`);
    return;
  }
  const attributes = new Map(
    models[model]!.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute]),
  );
  for (const [key, item] of Object.entries(value)) {
    const attribute = attributes.get(key);
    const at = path === '' ? key : `${path}.${key}`;
    if (!attribute) errors.push(`${at}: unknown field (not in ${model})`);
    else if (item !== null) checkValue(item, attribute.type, attribute.format, at, errors);
  }
  for (const field of requiredFields(model)) {
    if (value[field] === undefined || value[field] === null) {
      errors.push(`${path === '' ? field : `${path}.${field}`}: required by ${model}`);
    }
  }
}

/** Every problem of one rendered object, each naming its path; empty when it is valid. */
export function validateObject(object: unknown): string[] {
  if (!isPlainObject(object)) return ['the document is not an object'];
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const kind = RENDERABLE_KINDS[key];
  if (!kind) return [`${key}: not a kind this chart may render`];
  const errors: string[] = [];
  checkModel(object, kind.model, '', errors);
  const metadata = isPlainObject(object.metadata) ? object.metadata : {};
  if (typeof metadata.name !== 'string' || metadata.name === '') {
    errors.push('metadata.name: required');
  }
  if (kind.namespaced !== (typeof metadata.namespace === 'string')) {
    errors.push(
      `metadata.namespace: ${key} is ${kind.namespaced ? 'namespaced' : 'cluster-scoped'}`,
    );
  }
  return errors.map((error) => `${key} ${String(metadata.name)}: ${error}`);
}
