// The declared shapes of the CEL variables every AdmissionPolicy sees (DESIGN §4). One description
// serves twice: as CEL object types registered on the engine, so the type checker refuses
// `request.namex`, and as a schema the field walker (field-selections.ts) reads for what the
// checker lets through (`has(request.namex)`, `request.?namex`).
import type { Environment } from '@marcbachmann/cel-js';

/** The subset of an OpenAPI v3 schema the field checks read. */
export interface FieldSchema {
  readonly type?: 'object' | 'array' | 'string' | 'boolean' | 'integer' | 'number';
  readonly properties?: Readonly<Record<string, FieldSchema>>;
  readonly additionalProperties?: FieldSchema | boolean;
  readonly items?: FieldSchema;
  /** the value may be null: CEL sees it as dyn, since a typed field cannot hold null */
  readonly nullable?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
}

const text: FieldSchema = { type: 'string' };
const flag: FieldSchema = { type: 'boolean' };
const integer: FieldSchema = { type: 'integer' };
const texts: FieldSchema = { type: 'array', items: text };
const object = (properties: Record<string, FieldSchema>): FieldSchema => ({
  type: 'object',
  properties,
});
const openMap: FieldSchema = { type: 'object', additionalProperties: true };

export const REQUEST_SHAPE = object({
  operation: text,
  name: text,
  namespace: text,
  subResource: text,
  dryRun: flag,
  kind: object({ group: text, version: text, kind: text }),
  resource: object({ group: text, version: text, resource: text }),
  userInfo: object({
    username: text,
    uid: text,
    groups: texts,
    extra: { type: 'object', additionalProperties: texts },
  }),
});

export const REQUESTER_SHAPE = object({ username: text, groups: texts });

export const EFFECTIVE_SHAPE = object({
  runtimeType: { type: 'string', nullable: true },
  allowedTools: texts,
  disallowedTools: texts,
  toolSet: texts,
  allowBash: flag,
  maxTurns: integer,
  workspace: { ...openMap, nullable: true },
  execution: openMap,
  secretRef: { type: 'string', nullable: true },
});

export const CONFIG_SHAPE = object({
  controllerNamespace: text,
  controllerUsername: text,
  enforceNamespaceIsolation: flag,
  maxTasksPerNamespace: integer,
  provenance: object({ enabled: flag, trustedUsers: texts, trustedServiceAccounts: texts }),
  agentSandbox: object({
    enabled: flag,
    defaultTemplate: text,
    namespaceStrategy: text,
    cleanupPolicy: text,
    warmPoolPolicy: text,
  }),
});

/** The variables with a declared shape, by the CEL type name they are registered under. */
const TYPED_VARIABLES: Readonly<Record<string, { typeName: string; shape: FieldSchema }>> = {
  request: { typeName: 'orka.Request', shape: REQUEST_SHAPE },
  requester: { typeName: 'orka.Requester', shape: REQUESTER_SHAPE },
  effective: { typeName: 'orka.Effective', shape: EFFECTIVE_SHAPE },
  config: { typeName: 'orka.Config', shape: CONFIG_SHAPE },
};

/** Free-form or nullable variables: CEL cannot type them, so they stay dyn. */
const DYNAMIC_VARIABLES = ['object', 'oldObject', 'agent', 'tctx', 'params', 'namespaceObject'];

/** What `check()` sees: the typed variables by their registered type, the rest dyn. */
export const TYPED_POLICY_VARIABLES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(DYNAMIC_VARIABLES.map((name) => [name, 'dyn'])),
  ...Object.fromEntries(Object.entries(TYPED_VARIABLES).map(([name, v]) => [name, v.typeName])),
  variables: 'map<string, dyn>',
};

/**
 * What evaluation sees: the same names with maps for the typed ones, so values keep plain-map
 * semantics at run time (equality with map literals, whole objects as JSON patch values).
 */
export const RUNTIME_POLICY_VARIABLES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(TYPED_POLICY_VARIABLES).map(([name, type]) => [
    name,
    type === 'dyn' ? 'dyn' : 'map<string, dyn>',
  ]),
);

/** The declared shapes by variable name, for the field walker. */
export const VARIABLE_SHAPES: ReadonlyMap<string, FieldSchema> = new Map(
  Object.entries(TYPED_VARIABLES).map(([name, v]) => [name, v.shape]),
);

/** Registers every nested object as its own type, children first, as the library requires. */
function registerShape(environment: Environment, typeName: string, shape: FieldSchema): string {
  if (shape.nullable) return 'dyn';
  switch (shape.type) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'array':
      return `list<${shape.items ? registerShape(environment, `${typeName}.item`, shape.items) : 'dyn'}>`;
    default: {
      const values = shape.additionalProperties;
      if (!shape.properties) {
        const valueType =
          typeof values === 'object'
            ? registerShape(environment, `${typeName}.value`, values)
            : 'dyn';
        return `map<string, ${valueType}>`;
      }
      const fields: Record<string, string> = {};
      for (const [field, member] of Object.entries(shape.properties)) {
        fields[field] = registerShape(environment, `${typeName}.${field}`, member);
      }
      environment.registerType(typeName, { fields });
      return typeName;
    }
  }
}

/** Registers the typed variables' object types; pass as the engine's `extend`. */
export function registerPolicyTypes(environment: Environment): void {
  for (const { typeName, shape } of Object.values(TYPED_VARIABLES)) {
    registerShape(environment, typeName, shape);
  }
}
