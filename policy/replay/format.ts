// The outputs of `orka policy replay`: one line per would-be denial, warning or audit entry
// (`<namespace>/<name>: deny|warn|audit: <message>`) grouped per namespace, each namespace's tally,
// and a summary line; or the same as JSON.
import type { NamespaceTally, ReplayReport } from './replay.ts';

function tallyText(tally: NamespaceTally): string {
  return `${tally.objects} objects, ${tally.matched} matched, ${tally.denied} denied, ${tally.warned} warned, ${tally.audited} audited, ${tally.errors} evaluation errors`;
}

export function replayText(report: ReplayReport): string {
  const lines: string[] = [];
  for (const [namespace, tally] of report.namespaces) {
    for (const finding of report.findings) {
      if (finding.namespace !== namespace) continue;
      lines.push(`${finding.namespace}/${finding.name}: ${finding.action}: ${finding.message}`);
    }
    lines.push(`namespace ${namespace}: ${tallyText(tally)}`);
  }
  lines.push(
    `summary: policy ${report.policy}: ${report.namespaces.size} namespaces, ${tallyText(report.total)}`,
  );
  return lines.join('\n');
}

export function replayJson(report: ReplayReport): string {
  return JSON.stringify(
    {
      policy: report.policy,
      findings: report.findings,
      namespaces: Object.fromEntries(report.namespaces),
      summary: report.total,
    },
    null,
    2,
  );
}
