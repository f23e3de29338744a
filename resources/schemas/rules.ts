// The CEL rules of the CRDs (x-kubernetes-validations), each with the plain TypeScript check that
// validate.ts runs in their place. One table, two uses: the CRD generator writes `rule`, `message`,
// `fieldPath` and `reason`; the runtime validator looks the rule up here by its text and runs
// `holds` — so both paths give the same verdict with the same message.

export type RuleReason = 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueForbidden';

export interface CelRule {
  /** the CEL expression, as written into the CRD */
  rule: string;
  message: string;
  /** JSONPath-like child of the node the rule sits on (`.prompt`) that the error names */
  fieldPath?: string;
  reason?: RuleReason;
  /** true when the rule reads `oldSelf`: evaluated on UPDATE only, when the old value exists */
  transition?: boolean;
  /** the TypeScript evaluation of `rule`; `self`/`oldSelf` are the values at the rule's node */
  holds: (self: Record<string, unknown>, oldSelf?: Record<string, unknown>) => boolean;
}

/** The CRD form of a rule (what `x-kubernetes-validations` holds). */
export interface CrdRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: RuleReason;
}

const has = (object: Record<string, unknown>, key: string) =>
  Object.hasOwn(object, key) && object[key] !== undefined && object[key] !== null;

const nonEmpty = (object: Record<string, unknown>, key: string) =>
  has(object, key) && object[key] !== '';

/** CEL `==` on JSON values: deep equality, map key order irrelevant. */
export function celEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => celEquals(item, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const aKeys = Object.keys(a);
  const bRecord = b as Record<string, unknown>;
  if (aKeys.length !== Object.keys(bRecord).length) return false;
  return aKeys.every(
    (key) =>
      Object.hasOwn(bRecord, key) && celEquals((a as Record<string, unknown>)[key], bRecord[key]),
  );
}

const immutable = (field: string): CelRule => ({
  rule: `has(self.${field}) == has(oldSelf.${field}) && (!has(self.${field}) || self.${field} == oldSelf.${field})`,
  message: `${field} is immutable`,
  transition: true,
  holds: (self, oldSelf = {}) =>
    has(self, field) === has(oldSelf, field) &&
    (!has(self, field) || celEquals(self[field], oldSelf[field])),
});

export const rules = {
  workspaceRefXorBranch: {
    rule: "!(has(self.ref) && self.ref != '' && has(self.branch) && self.branch != '')",
    message: 'ref and branch are mutually exclusive: set one of them',
    holds: (self) => !(nonEmpty(self, 'ref') && nonEmpty(self, 'branch')),
  },
  requestedByImmutable: immutable('requestedBy'),
  transactionImmutable: immutable('transaction'),
  agentTaskNeedsAgentRef: {
    rule: "self.type != 'agent' || has(self.agentRef)",
    message: 'type: agent tasks require an agentRef',
    fieldPath: '.agentRef',
    reason: 'FieldValueRequired',
    holds: (self) => self.type !== 'agent' || has(self, 'agentRef'),
  },
  agentTaskNeedsPrompt: {
    rule: "self.type != 'agent' || (has(self.prompt) && self.prompt != '')",
    message: 'prompt is required for type: agent tasks',
    fieldPath: '.prompt',
    reason: 'FieldValueRequired',
    holds: (self) => self.type !== 'agent' || nonEmpty(self, 'prompt'),
  },
  paramsXorParamRef: {
    rule: '!(has(self.params) && has(self.paramRef))',
    message: 'params and paramRef are mutually exclusive: set one of them',
    holds: (self) => !(has(self, 'params') && has(self, 'paramRef')),
  },
  policyHasEffect: {
    rule: '(has(self.validations) && size(self.validations) > 0) || (has(self.mutations) && size(self.mutations) > 0) || (has(self.auditAnnotations) && size(self.auditAnnotations) > 0)',
    message: 'at least one of validations, mutations or auditAnnotations is required',
    holds: (self) =>
      ['validations', 'mutations', 'auditAnnotations'].some(
        (key) => Array.isArray(self[key]) && (self[key] as unknown[]).length > 0,
      ),
  },
  denyAndWarnExclusive: {
    rule: "!(has(self.validationActions) && 'Deny' in self.validationActions && 'Warn' in self.validationActions)",
    message: 'validationActions may not contain both Deny and Warn',
    fieldPath: '.validationActions',
    holds: (self) => {
      const actions = Array.isArray(self.validationActions) ? self.validationActions : [];
      return !(actions.includes('Deny') && actions.includes('Warn'));
    },
  },
} satisfies Record<string, CelRule>;

const byText = new Map<string, CelRule>(Object.values(rules).map((r: CelRule) => [r.rule, r]));

/** The rule whose CEL text is `text`; a rule without a TypeScript twin is a programming error. */
export function ruleByText(text: string): CelRule {
  const found = byText.get(text);
  if (!found) throw new Error(`x-kubernetes-validations rule has no TypeScript check: ${text}`);
  return found;
}

/** The `x-kubernetes-validations` schema option for the given rules. */
export const celRules = (...list: CelRule[]): { 'x-kubernetes-validations': CrdRule[] } => ({
  'x-kubernetes-validations': list.map(({ rule, message, fieldPath, reason }) => ({
    rule,
    message,
    ...(fieldPath ? { fieldPath } : {}),
    ...(reason ? { reason } : {}),
  })),
});
