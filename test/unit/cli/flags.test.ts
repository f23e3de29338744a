import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type FlagSpec, parseCommandLine, UsageError } from '../../../cli/flags.ts';

const specs: FlagSpec[] = [
  { name: 'api-port', type: 'int', default: 8080, description: '' },
  { name: 'agent-sandbox-enabled', type: 'boolean', default: false, description: '' },
  { name: 'store-path', type: 'string', default: '/data/orka.db', description: '' },
  { name: 'groups', type: 'list', default: ['system:authenticated'], description: '' },
  { name: 'policies', type: 'list', repeatable: true, default: [], description: '' },
  {
    name: 'output',
    short: 'o',
    type: 'string',
    default: 'text',
    choices: ['text', 'json'],
    description: '',
  },
];

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'orka-flags-')), 'config.yaml');
  writeFileSync(path, text);
  return path;
}

describe('parseCommandLine', () => {
  test('defaults when nothing is given', () => {
    const { values, positionals } = parseCommandLine(specs, [], {});
    assert.equal(values['api-port'], 8080);
    assert.equal(values['agent-sandbox-enabled'], false);
    assert.deepEqual(values.groups, ['system:authenticated']);
    assert.deepEqual(positionals, []);
  });

  const booleanForms: [string[], boolean][] = [
    [['--agent-sandbox-enabled'], true],
    [['--agent-sandbox-enabled=true'], true],
    [['--agent-sandbox-enabled=false'], false],
    [['--agent-sandbox-enabled', '--no-agent-sandbox-enabled'], false],
    [['--no-agent-sandbox-enabled', '--agent-sandbox-enabled=TRUE'], true],
  ];
  for (const [argv, expected] of booleanForms) {
    test(`boolean ${argv.join(' ')} → ${expected}`, () => {
      assert.equal(parseCommandLine(specs, argv, {}).values['agent-sandbox-enabled'], expected);
    });
  }

  test('values by space, by equals sign and by short name', () => {
    const { values } = parseCommandLine(
      specs,
      ['--api-port', '9000', '--store-path=/x.db', '-o', 'json'],
      {},
    );
    assert.equal(values['api-port'], 9000);
    assert.equal(values['store-path'], '/x.db');
    assert.equal(values.output, 'json');
  });

  test('repeatable lists accumulate, plain lists replace', () => {
    const { values } = parseCommandLine(
      specs,
      ['--policies', 'a.yaml', '--policies=b.yaml,c.yaml', '--groups', 'x', '--groups', 'y,z'],
      {},
    );
    assert.deepEqual(values.policies, ['a.yaml', 'b.yaml', 'c.yaml']);
    assert.deepEqual(values.groups, ['y', 'z']);
  });

  test('precedence: defaults < config file < environment < flags', () => {
    const config = configFile(
      'apiPort: 7000\nstorePath: /from-file.db\nagentSandboxEnabled: true\n',
    );
    const env = { ORKA_API_PORT: '7100', ORKA_CONFIG: config };
    const fromEnv = parseCommandLine(specs, [], env).values;
    assert.equal(fromEnv['api-port'], 7100);
    assert.equal(fromEnv['store-path'], '/from-file.db');
    assert.equal(fromEnv['agent-sandbox-enabled'], true);
    const fromFlags = parseCommandLine(
      specs,
      ['--api-port=7200', '--no-agent-sandbox-enabled'],
      env,
    ).values;
    assert.equal(fromFlags['api-port'], 7200);
    assert.equal(fromFlags['agent-sandbox-enabled'], false);
  });

  test('positionals and everything after --', () => {
    const { positionals } = parseCommandLine(specs, ['a', '--api-port', '1', 'b', '--', '--c'], {});
    assert.deepEqual(positionals, ['a', 'b', '--c']);
  });

  const mistakes: [string, string[], Record<string, string>, RegExp][] = [
    ['unknown flag', ['--bogus'], {}, /unknown flag --bogus/],
    ['missing value', ['--api-port'], {}, /--api-port needs a value/],
    ['not an integer', ['--api-port', '80x'], {}, /expected an integer, got "80x"/],
    ['bad boolean', ['--agent-sandbox-enabled=yes'], {}, /expected true or false, got "yes"/],
    ['bad choice', ['-o', 'xml'], {}, /"xml" is not one of text, json/],
    ['--no- on a non-boolean', ['--no-api-port'], {}, /unknown flag --no-api-port/],
    ['bad environment value', [], { ORKA_API_PORT: 'eighty' }, /environment ORKA_API_PORT/],
  ];
  for (const [name, argv, env, message] of mistakes) {
    test(`usage error: ${name}`, () => {
      assert.throws(
        () => parseCommandLine(specs, argv, env),
        (error: unknown) => {
          assert.ok(error instanceof UsageError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  test('config file mistakes name the file and the key', () => {
    const unknownKey = configFile('apiPrt: 1\n');
    assert.throws(
      () => parseCommandLine(specs, ['--config', unknownKey], {}),
      /unknown key "apiPrt"/,
    );
    const notMapping = configFile('- a\n- b\n');
    assert.throws(
      () => parseCommandLine(specs, ['--config', notMapping], {}),
      /expected a YAML mapping/,
    );
    assert.throws(
      () => parseCommandLine(specs, ['--config', '/nonexistent/orka.yaml'], {}),
      /--config \/nonexistent/,
    );
  });
});
