// The Kubernetes v1.32 CEL libraries that @marcbachmann/cel-js lacks, registered on an
// Environment the engine owns. Each library lives in its own file; this is the one entry point.
import type { Environment } from '@marcbachmann/cel-js';
import { registerStrings } from './strings.ts';

export { KUBERNETES_METHOD_REWRITES } from './strings.ts';

/** Registers every Kubernetes CEL library on `env`; call once per Environment. */
export function registerKubernetesLibraries(env: Environment): void {
  registerStrings(env);
}
