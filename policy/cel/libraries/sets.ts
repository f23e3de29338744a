// cel-go's sets extension: sets.contains, sets.equivalent, sets.intersects over lists, with
// CEL's heterogeneous equality (1 == 1.0 == 1u).
import type { Environment } from '@marcbachmann/cel-js';
import { listItems, valuesEqual } from './values.ts';

/** The receiver type of `sets.*(...)`: CEL has no namespaces, so `sets` is a constant. */
export class SetsNamespace {}

function contains(list: unknown, sub: unknown): boolean {
  const items = listItems(list);
  return listItems(sub).every((wanted) => items.some((item) => valuesEqual(item, wanted)));
}

function intersects(a: unknown, b: unknown): boolean {
  const right = listItems(b);
  return listItems(a).some((item) => right.some((other) => valuesEqual(item, other)));
}

export function registerSets(env: Environment): void {
  env.registerType('kubernetes.SetsNamespace', SetsNamespace);
  env.registerConstant('sets', 'kubernetes.SetsNamespace', new SetsNamespace());
  env.registerFunction(
    'kubernetes.SetsNamespace.contains(list, list): bool',
    (_ns: SetsNamespace, a: unknown, b: unknown) => contains(a, b),
  );
  env.registerFunction(
    'kubernetes.SetsNamespace.equivalent(list, list): bool',
    (_ns: SetsNamespace, a: unknown, b: unknown) => contains(a, b) && contains(b, a),
  );
  env.registerFunction(
    'kubernetes.SetsNamespace.intersects(list, list): bool',
    (_ns: SetsNamespace, a: unknown, b: unknown) => intersects(a, b),
  );
}
