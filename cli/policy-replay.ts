// `orka policy replay --policy FILE` (DESIGN §11): the candidate policy against the live Tasks and
// Agents it matches (all namespaces, or --watch-namespace); exit 1 if anything would be denied,
// 0 otherwise, 2 on errors.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { createExpressionCompiler } from '../policy/admission-policy/expression-compiler.ts';
import { policyConfigFromFlags } from '../policy/chain/config.ts';
import { loadPolicies } from '../policy/loading.ts';
import { collectReplayObjects } from '../policy/replay/collect.ts';
import { replayJson, replayText } from '../policy/replay/format.ts';
import { clientNodeReader } from '../policy/replay/reader.ts';
import { replayPolicy } from '../policy/replay/replay.ts';
import type { CommandContext } from './commands.ts';
import { UsageError } from './flags.ts';

/** --kubeconfig > KUBECONFIG > ~/.kube/config > in-cluster (DESIGN §11); these commands need one. */
export function requireKubeConfig(
  flag: string,
  env: Record<string, string | undefined>,
): KubeConfig {
  const kubeConfig = new KubeConfig();
  const file = flag || env.KUBECONFIG || join(env.HOME || homedir(), '.kube', 'config');
  if (flag || env.KUBECONFIG || existsSync(file)) {
    try {
      kubeConfig.loadFromFile(file);
    } catch (error) {
      throw new UsageError(`kubeconfig ${file}: ${(error as Error).message}`);
    }
    return kubeConfig;
  }
  if (env.KUBERNETES_SERVICE_HOST) {
    kubeConfig.loadFromCluster();
    return kubeConfig;
  }
  throw new UsageError(
    'no Kubernetes access: give --kubeconfig, set KUBECONFIG, create ~/.kube/config or run in a cluster',
  );
}

export async function runPolicyReplay({
  values,
  positionals,
  stdout,
  env,
}: CommandContext): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const file = values.policy as string;
  if (file === '') throw new UsageError('--policy FILE is required');
  const candidates = loadPolicies([file], createExpressionCompiler());
  if (candidates.length !== 1) {
    throw new UsageError(
      `--policy ${file}: expected exactly one AdmissionPolicy, found ${candidates.length}`,
    );
  }
  const candidate = candidates[0]!;
  const reader = clientNodeReader(requireKubeConfig(values.kubeconfig as string, env));
  const objects = await collectReplayObjects(reader, candidate, {
    namespace: values['watch-namespace'] as string,
  });
  const report = replayPolicy(candidate, objects, {
    config: policyConfigFromFlags(values),
    operation: values.operation as 'CREATE' | 'UPDATE',
  });
  stdout.write(`${values.output === 'json' ? replayJson(report) : replayText(report)}\n`);
  return report.total.denied > 0 ? 1 : 0;
}
