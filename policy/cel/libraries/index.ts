// The Kubernetes v1.32 CEL libraries that @marcbachmann/cel-js lacks, registered on an
// Environment the engine owns. Each library lives in its own file; this is the one entry point.
import type { Environment } from '@marcbachmann/cel-js';
import { registerFormats } from './formats.ts';
import { registerIPAndCIDR } from './ip.ts';
import { registerLists } from './lists.ts';
import { registerQuantity } from './quantity.ts';
import { registerRegex } from './regex.ts';
import { registerSets } from './sets.ts';
import { registerStrings } from './strings.ts';
import { registerURLs } from './url.ts';

export { compileRe2, RE2_CACHE_LIMIT } from './re2.ts';
export { KUBERNETES_METHOD_REWRITES } from './strings.ts';

/** Registers every Kubernetes CEL library on `env`; call once per Environment. */
export function registerKubernetesLibraries(env: Environment): void {
  registerStrings(env);
  registerLists(env);
  registerSets(env);
  registerRegex(env);
  registerURLs(env);
  registerQuantity(env);
  registerIPAndCIDR(env);
  registerFormats(env);
}
