// Request schemas are checked by one Ajv instance of our own (not fastify's default), so that the
// resource model's TypeBox schemas (with their Kubernetes keywords and int32/int64 formats) compile
// as they are, and every violation becomes a 400 that names the field and the rule.
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { ApiError } from './errors.ts';

const KUBERNETES_KEYWORDS = [
  'x-kubernetes-validations',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
];

const ajv = new Ajv({
  allErrors: false,
  strict: false,
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
});
addFormats.default(ajv, ['date-time', 'int32', 'int64']);
for (const keyword of KUBERNETES_KEYWORDS) {
  ajv.addKeyword({ keyword, schemaType: ['array', 'boolean', 'string'] });
}
// Query strings arrive as text; this instance turns `?limit=5` into 5 before checking.
const queryAjv = new Ajv({ allErrors: false, strict: false, coerceTypes: true });

const WHERE: Record<string, string> = {
  body: 'request body',
  querystring: 'query parameter',
  params: 'path parameter',
  headers: 'header',
};

function fieldPath(error: ErrorObject): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = '';
  for (const segment of segments) {
    path += /^\d+$/.test(segment) ? `[${segment}]` : path === '' ? segment : `.${segment}`;
  }
  return path;
}

function child(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

/** One schema violation as a sentence naming the field, e.g. `priority must be <= 1000`. */
export function describeViolation(error: ErrorObject, where: string): string {
  const path = fieldPath(error);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${child(path, String(params.missingProperty))} is required`;
    case 'additionalProperties':
      return `unknown field "${child(path, String(params.additionalProperty))}"`;
    case 'type':
      return `${path || where} must be ${String(params.type)}`;
    case 'enum':
      return `${path || where} must be one of ${(params.allowedValues as unknown[])
        .map((value) => JSON.stringify(value))
        .join(', ')}`;
    default:
      return `${path || where} ${error.message ?? 'is invalid'}`;
  }
}

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const where = WHERE[httpPart ?? 'body'] ?? 'request';
  const validate = (httpPart === 'querystring' ? queryAjv : ajv).compile(schema as object);
  return (data: unknown) => {
    if (validate(data)) return { value: data };
    const first = validate.errors?.[0];
    const reason = first ? describeViolation(first, where) : 'does not match its schema';
    return { error: new ApiError(400, `invalid ${where}: ${reason}`) };
  };
};
