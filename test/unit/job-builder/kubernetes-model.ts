// A structural check of an object against @kubernetes/client-node's generated models: every field
// must be declared by the model's attributeTypeMap (by its wire name) and hold a value of the
// declared kind. It stands in for the apiserver's schema, which this machine cannot run.
import * as kubernetes from '@kubernetes/client-node';

interface Attribute {
  baseName: string;
  type: string;
  format: string;
}

const models = kubernetes as unknown as Record<string, { attributeTypeMap?: Attribute[] }>;

function attributesOf(model: string): Attribute[] {
  const attributes = models[model]?.attributeTypeMap;
  if (!attributes) throw new Error(`no client-node model named ${model}`);
  return attributes;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function checkValue(value: unknown, type: string, format: string, path: string, out: string[]) {
  const array = /^Array<(.+)>$/.exec(type);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) out.push(`${path}: expected an array, got ${kindOf(value)}`);
    else
      for (const [i, item] of value.entries()) {
        checkValue(item, array[1]!, '', `${path}[${i}]`, out);
      }
    return;
  }
  if (map) {
    if (kindOf(value) !== 'object') out.push(`${path}: expected a map, got ${kindOf(value)}`);
    else
      for (const [key, item] of Object.entries(value as object)) {
        checkValue(item, map[1]!, '', `${path}.${key}`, out);
      }
    return;
  }
  switch (type) {
    case 'any':
      return;
    case 'string':
    case 'Date':
      if (typeof value !== 'string') out.push(`${path}: expected a string, got ${kindOf(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') out.push(`${path}: expected a boolean, got ${kindOf(value)}`);
      return;
    case 'number':
      if (typeof value !== 'number') out.push(`${path}: expected a number, got ${kindOf(value)}`);
      else if (format.startsWith('int') && !Number.isInteger(value))
        out.push(`${path}: expected an integer (${format}), got ${value}`);
      return;
    case 'IntOrString':
      if (typeof value !== 'string' && !Number.isInteger(value))
        out.push(`${path}: expected an integer or a string, got ${kindOf(value)}`);
      return;
  }
  if (kindOf(value) !== 'object') {
    out.push(`${path}: expected an object (${type}), got ${kindOf(value)}`);
    return;
  }
  const attributes = attributesOf(type);
  for (const [key, item] of Object.entries(value as object)) {
    const attribute = attributes.find((candidate) => candidate.baseName === key);
    if (!attribute) out.push(`${path}.${key}: not a field of ${type}`);
    else if (item !== undefined)
      checkValue(item, attribute.type, attribute.format, `${path}.${key}`, out);
  }
}

/** Every problem found, as `<path>: <what is wrong>`; empty when the object fits the model. */
export function modelProblems(value: unknown, model: string): string[] {
  const problems: string[] = [];
  checkValue(value, model, '', model, problems);
  return problems;
}
