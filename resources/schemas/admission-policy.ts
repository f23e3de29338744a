// AdmissionPolicy (policy.orka.ai/v1alpha1, cluster-scoped): DESIGN §4 — the field names of
// Kubernetes' ValidatingAdmissionPolicy with the binding folded in.
import { Type } from '@sinclair/typebox';
import { conditionsList, LabelSelector } from './kubernetes.ts';
import { resourceSchema } from './meta.ts';
import { celRules, rules } from './rules.ts';
import { Obj, OpenObj, StringEnum } from './shapes.ts';

export const FAILURE_POLICIES = ['Fail', 'Ignore'] as const;
export const VALIDATION_ACTIONS = ['Deny', 'Warn', 'Audit'] as const;
export const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*'] as const;
export const DENIAL_REASONS = [
  'Unauthorized',
  'Forbidden',
  'Invalid',
  'RequestEntityTooLarge',
] as const;

const CEL_IDENTIFIER = '^[A-Za-z_][A-Za-z0-9_]*$';
const QUALIFIED_NAME = '^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$';

const Expression = (description: string) => Type.String({ minLength: 1, description });

const stringList = (description: string) => Type.Array(Type.String(), { description });

export const ResourceRule = Obj(
  {
    apiGroups: stringList('API groups, "" for core, "*" for all.'),
    apiVersions: stringList('API versions, "*" for all.'),
    resources: stringList('Resources (plural, optionally with /subresource), "*" for all.'),
    operations: Type.Array(StringEnum(OPERATIONS), {
      description: 'CREATE, UPDATE, DELETE, CONNECT or "*".',
    }),
    resourceNames: Type.Optional(stringList('Object names allowed; empty for all.')),
    scope: Type.Optional(
      StringEnum(['Cluster', 'Namespaced', '*'], { description: 'Scope of the resources.' }),
    ),
  },
  { description: 'Resources and operations a rule covers.' },
);

export const MatchConstraints = Obj(
  {
    resourceRules: Type.Array(ResourceRule, {
      minItems: 1,
      description: 'Requests the policy applies to.',
    }),
    excludeResourceRules: Type.Optional(
      Type.Array(ResourceRule, { description: 'Requests excluded; wins over resourceRules.' }),
    ),
    namespaceSelector: Type.Optional(
      LabelSelector("Selects by the labels of the object's Namespace; empty selects all."),
    ),
    objectSelector: Type.Optional(
      LabelSelector('Selects by the labels of the object (old or new); empty selects all.'),
    ),
  },
  { description: 'Which requests the policy sees; all parts must match.' },
);

export const AdmissionPolicySpec = Obj(
  {
    failurePolicy: Type.Optional(
      StringEnum(FAILURE_POLICIES, {
        default: 'Fail',
        description: 'What an evaluation error means: Fail denies, Ignore skips the policy.',
      }),
    ),
    validationActions: Type.Optional(
      Type.Array(StringEnum(VALIDATION_ACTIONS), {
        minItems: 1,
        default: ['Deny'],
        description:
          'What a failed validation does: Deny refuses, Warn adds a warning, Audit records an audit annotation. Deny and Warn not together.',
        'x-kubernetes-list-type': 'set',
      }),
    ),
    matchConstraints: MatchConstraints,
    matchConditions: Type.Optional(
      Type.Array(
        Obj({
          name: Type.String({
            minLength: 1,
            maxLength: 63,
            pattern: QUALIFIED_NAME,
            description: 'Unique name of the condition.',
          }),
          expression: Expression('CEL boolean; false skips the policy.'),
        }),
        {
          maxItems: 64,
          description: 'CEL conditions that must all be true for the policy to apply.',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
        },
      ),
    ),
    params: Type.Optional(
      OpenObj({ description: 'Inline parameters, available to expressions as params.' }),
    ),
    paramRef: Type.Optional(
      Obj(
        {
          name: Type.String({ minLength: 1, description: 'Name of the ConfigMap.' }),
          namespace: Type.Optional(
            Type.String({ description: "Namespace of the ConfigMap; defaults to the request's." }),
          ),
        },
        {
          description: 'A ConfigMap whose whole object is params. Mutually exclusive with params.',
        },
      ),
    ),
    variables: Type.Optional(
      Type.Array(
        Obj({
          name: Type.String({
            minLength: 1,
            pattern: CEL_IDENTIFIER,
            description: 'Name, used as variables.<name>.',
          }),
          expression: Expression('CEL expression; evaluated lazily, at most once per request.'),
        }),
        {
          description: 'Named CEL expressions; each may use the ones before it.',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
        },
      ),
    ),
    validations: Type.Optional(
      Type.Array(
        Obj({
          expression: Expression('CEL boolean; false is a failed validation.'),
          message: Type.Optional(
            Type.String({
              pattern: '^[^\\n\\r]*$',
              description: 'Static message on failure (one line).',
            }),
          ),
          messageExpression: Type.Optional(
            Expression('CEL string used as the message; wins over message.'),
          ),
          reason: Type.Optional(
            StringEnum(DENIAL_REASONS, {
              description: 'Reason and HTTP code of a denial; Invalid (422) when unset.',
            }),
          ),
        }),
        { description: 'The checks.' },
      ),
    ),
    mutations: Type.Optional(
      Type.Array(
        Obj({
          expression: Expression(
            "CEL returning a list of JSON-patch maps ({'op', 'path', 'value'}); a path's parent must exist.",
          ),
        }),
        { description: 'Changes the mutating webhook applies, in order.' },
      ),
    ),
    auditAnnotations: Type.Optional(
      Type.Array(
        Obj({
          key: Type.String({
            minLength: 1,
            maxLength: 63,
            pattern: QUALIFIED_NAME,
            description: 'Published as <policy>/<key>.',
          }),
          valueExpression: Expression('CEL string or null (null omits the annotation).'),
        }),
        { description: 'Audit annotations added when the policy applies.' },
      ),
    ),
  },
  {
    description: 'Desired state of the AdmissionPolicy.',
    ...celRules(rules.paramsXorParamRef, rules.policyHasEffect, rules.denyAndWarnExclusive),
  },
);

export const AdmissionPolicyStatus = Obj(
  {
    observedGeneration: Type.Optional(
      Type.Integer({ format: 'int64', description: 'The generation the status describes.' }),
    ),
    conditions: Type.Optional(
      conditionsList('Ready (compiled and in force) and CompileError (why it is not).'),
    ),
    typeChecking: Type.Optional(
      Obj(
        {
          expressionWarnings: Type.Optional(
            Type.Array(
              Obj({
                fieldRef: Type.String({
                  description: 'Path of the expression, e.g. spec.validations[0].expression.',
                }),
                warning: Type.String({ description: 'What the type checker found.' }),
              }),
              { description: 'Type-check warnings; empty when none.' },
            ),
          ),
        },
        { description: 'Results of type checking; present once checked.' },
      ),
    ),
  },
  { description: 'Observed state of the policy, written by the controller.' },
);

export const AdmissionPolicySchema = resourceSchema(
  'policy.orka.ai/v1alpha1',
  'AdmissionPolicy',
  { spec: AdmissionPolicySpec, status: Type.Optional(AdmissionPolicyStatus) },
  'A CEL admission policy for Orka resources: matches requests, validates, mutates and annotates them.',
);
