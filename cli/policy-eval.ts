// `orka policy eval`: the full admission chain on one object (DESIGN §11). Exit 0 allowed,
// 1 denied, 2 usage or runtime error.

import { explainOffline } from '../policy/explain/explain.ts';
import { explanationJson, explanationText } from '../policy/explain/format.ts';
import type { Operation } from '../policy/match/resource-rules.ts';
import { evaluateOffline, loadOfflinePolicies } from '../policy/offline/evaluate.ts';
import { decisionJson, decisionText } from '../policy/offline/format.ts';
import type { CommandContext } from './commands.ts';
import { UsageError } from './flags.ts';
import { optionalObjectFile, readObjectFile } from './policy-files.ts';

export async function runPolicyEval({
  values,
  positionals,
  stdout,
}: CommandContext): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const resourcePath = values.resource as string;
  if (resourcePath === '') throw new UsageError('--resource FILE is required');
  const setup = loadOfflinePolicies({
    flags: values,
    paths: values.policies as string[],
    builtin: values.builtin as boolean,
  });
  const request = {
    object: readObjectFile('resource', resourcePath),
    oldObject: optionalObjectFile('old-resource', values['old-resource']),
    operation: values.operation as Operation | '',
    namespace: values.namespace as string,
    user: values.user as string,
    groups: values.groups as string[],
    agent: optionalObjectFile('agent', values.agent),
    namespaceObject: optionalObjectFile('namespace-object', values['namespace-object']),
    paramObject: optionalObjectFile('param-object', values['param-object']),
  };
  if (values.explain === true) {
    const explanation = explainOffline(setup, request);
    const text =
      values.output === 'json' ? explanationJson(explanation) : explanationText(explanation);
    stdout.write(`${text}\n`);
    return explanation.decision.allowed ? 0 : 1;
  }
  const decision = evaluateOffline(setup, request);
  const output = values.output === 'json' ? decisionJson(decision) : decisionText(decision, false);
  stdout.write(`${output}\n`);
  return decision.allowed ? 0 : 1;
}
