// Random CEL expressions over a dyn `object` (and an unbound `x`): paths with hostile field names,
// operators, macros, string methods and regular expressions, for the engine's property tests.
import fc from 'fast-check';

export const { expression } = fc.letrec<{ expression: string; atom: string; path: string }>(
  (tie) => ({
    path: fc.oneof(
      fc.constantFrom('object', 'object.a', 'object.b', 'object.list', 'x'),
      fc
        .tuple(tie('path'), fc.constantFrom('a', 'b', 'c', 'list', '__proto__', 'constructor'))
        .map(([p, f]) => `${p}.${f}`),
      fc.tuple(tie('path'), tie('atom')).map(([p, i]) => `${p}[${i}]`),
      tie('path').map((p) => `${p}.?a.orValue(1)`),
    ),
    atom: fc.oneof(
      fc.integer({ min: -3, max: 3 }).map(String),
      fc.constantFrom(
        "'a'",
        "''",
        '1.5',
        'true',
        'null',
        '[1, 2]',
        "{'a': 1}",
        '{}',
        '9223372036854775807',
      ),
      fc.string({ maxLength: 4 }).map((s) => JSON.stringify(s)),
    ),
    expression: fc.oneof(
      { depthSize: 'small' },
      tie('atom'),
      tie('path'),
      fc
        .tuple(
          tie('expression'),
          fc.constantFrom('+', '-', '*', '/', '%', '==', '<', '&&', '||', 'in'),
          tie('expression'),
        )
        .map(([l, op, r]) => `(${l} ${op} ${r})`),
      fc
        .tuple(tie('expression'), tie('expression'), tie('expression'))
        .map(([c, l, r]) => `(${c} ? ${l} : ${r})`),
      tie('expression').map((e) => `!${e}`),
      fc
        .tuple(
          fc.constantFrom('size', 'int', 'string', 'double', 'dyn', 'type', 'has'),
          tie('path'),
        )
        .map(([f, p]) => `${f}(${p})`),
      fc
        .tuple(
          tie('path'),
          fc.constantFrom(
            'contains',
            'startsWith',
            'matches',
            'split',
            'indexOf',
            'charAt',
            'lowerAscii',
          ),
          tie('atom'),
        )
        .map(([p, m, a]) => (m === 'lowerAscii' ? `${p}.${m}()` : `${p}.${m}(${a})`)),
      fc
        .tuple(
          tie('path'),
          fc.constantFrom('all', 'exists', 'exists_one', 'map', 'filter'),
          tie('expression'),
        )
        .map(([p, m, body]) => `${p}.${m}(x, ${body})`),
      fc
        .tuple(tie('path'), fc.stringMatching(/^[a-z()+*|.?\\[\]^$]{0,8}$/))
        .map(([p, pattern]) => `${p}.matches(${JSON.stringify(pattern)})`),
    ),
  }),
);
