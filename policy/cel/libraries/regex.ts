// Kubernetes' regex library: `<string>.find(<string>)` and `<string>.findAll(<string>[, <int>])`,
// with Go's regexp semantics for successive matches (an empty match right after a previous
// match is skipped).
import type { Environment } from '@marcbachmann/cel-js';
import { compileRe2 } from './re2.ts';

function find(value: string, pattern: string): string {
  const matcher = compileRe2(pattern).matcher(value);
  return matcher.find() ? (matcher.group() ?? '') : '';
}

function findAll(value: string, pattern: string, limit = -1n): string[] {
  const max = limit < 0n ? Number.POSITIVE_INFINITY : Number(limit);
  const matcher = compileRe2(pattern).matcher(value);
  const found: string[] = [];
  let position = 0;
  let previousEnd = -1;
  while (found.length < max && position <= value.length && matcher.find(position)) {
    const start = matcher.start();
    const end = matcher.end();
    let accept = true;
    if (end === start) {
      if (start === previousEnd) accept = false;
      const code = value.codePointAt(end);
      position = end + (code !== undefined && code > 0xffff ? 2 : 1);
    } else {
      position = end;
    }
    previousEnd = end;
    if (accept) found.push(matcher.group() ?? '');
  }
  return found;
}

export function registerRegex(env: Environment): void {
  env.registerFunction('string.find(string): string', find);
  env.registerFunction('string.findAll(string): list<string>', (s: string, p: string) =>
    findAll(s, p),
  );
  env.registerFunction('string.findAll(string, int): list<string>', findAll);
}
