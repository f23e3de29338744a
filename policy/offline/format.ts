// The two output formats of `orka policy eval` (DESIGN §11): `-o json` exactly as the contract
// spells it, and a text form for people.

import { stringifyJsonPreservingIntegers } from '../cel/json.ts';
import type { AdmissionDecision } from '../chain/admit.ts';

export function decisionJson(decision: AdmissionDecision): string {
  const contract = {
    allowed: decision.allowed,
    denials: decision.denials.map(({ policy, message, reason }) => ({ policy, message, reason })),
    warnings: decision.warnings,
    auditAnnotations: decision.auditAnnotations,
    patch: decision.patch,
  };
  return JSON.stringify(JSON.parse(stringifyJsonPreservingIntegers(contract)), null, 2);
}

export function decisionText(decision: AdmissionDecision, explain: boolean): string {
  const lines = [decision.allowed ? 'ALLOWED' : `DENIED (${decision.code})`];
  for (const denial of decision.denials)
    lines.push(`  deny: ${denial.policy}: ${denial.message} [${denial.reason}]`);
  for (const warning of decision.warnings) lines.push(`  warn: ${warning}`);
  for (const [key, value] of Object.entries(decision.auditAnnotations))
    lines.push(`  audit: ${key}=${value}`);
  if (explain) {
    for (const operation of decision.patch) {
      const value =
        'value' in operation ? ` ${stringifyJsonPreservingIntegers(operation.value)}` : '';
      lines.push(`  patch: ${operation.op} ${operation.path}${value}`);
    }
  } else if (decision.patch.length > 0) {
    lines.push(`  patch: ${decision.patch.length} operation(s) (--explain shows them)`);
  }
  return lines.join('\n');
}
