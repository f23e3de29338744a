// Reference §6.4 with DESIGN §9/§11: per-runtime worker images from the configuration, the init
// container on the same image, and the controller URL workers are given.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commands } from '../../../cli/commands.ts';
import { parseCommandLine } from '../../../cli/flags.ts';
import { workerJobConfigFromFlags } from '../../../cli/render-job.ts';
import { buildWorkerJob, defaultControllerUrl } from '../../../reconcilers/job/index.ts';
import { config, makeAgent, makeTask } from './fixtures.ts';

describe('worker image per runtime', () => {
  const cases: [string, ReturnType<typeof makeAgent> | undefined, string, string][] = [
    ['claude', makeAgent({ runtime: { type: 'claude' } }), config.images.claude, 'claude'],
    ['codex', makeAgent({ runtime: { type: 'codex' } }), config.images.codex, 'codex'],
    ['copilot', makeAgent({ runtime: { type: 'copilot' } }), config.images.copilot, 'copilot'],
    ['unknown Agent ⇒ Claude', undefined, config.images.claude, 'claude'],
  ];
  for (const [name, agent, image, runtime] of cases) {
    test(name, () => {
      const pod = buildWorkerJob(makeTask({ sessionRef: { name: 's' } }), agent, config).spec!
        .template.spec!;
      assert.equal(pod.containers[0]!.image, image);
      assert.deepEqual(pod.containers[0]!.command, ['orka', 'worker', '--runtime', runtime]);
      assert.equal(pod.initContainers![0]!.image, image);
    });
  }
});

describe('configuration from the controller flags (orka render job)', () => {
  const renderJob = commands.find((command) => command.path.join(' ') === 'render job')!;
  const parse = (...argv: string[]) =>
    workerJobConfigFromFlags(parseCommandLine(renderJob.flags, argv, {}).values);

  test('defaults: Orka images, controller URL of the orka-api Service, ttl, sandbox off', () => {
    const defaults = parse();
    assert.deepEqual(defaults.images, {
      claude: 'orka/worker-claude:latest',
      codex: 'orka/worker-codex:latest',
      copilot: 'orka/worker-copilot:latest',
    });
    assert.equal(defaults.controllerUrl, 'http://orka-api.orka-system.svc:8080');
    assert.equal(defaults.controllerNamespace, 'orka-system');
    assert.equal(defaults.ttlSecondsAfterFinished, 3600);
    assert.equal(defaults.codexSandboxMode, '');
    assert.equal(defaults.sandbox.enabled, false);
  });

  test('flags set images, controller namespace and URL, ttl and codex mode', () => {
    const custom = parse(
      '--codex-worker-image',
      'r/codex:2',
      '--controller-namespace',
      'platform',
      '--job-ttl-seconds-after-finished',
      '0',
      '--codex-sandbox-mode',
      'danger-full-access',
    );
    assert.equal(custom.images.codex, 'r/codex:2');
    assert.equal(custom.controllerUrl, defaultControllerUrl('platform'));
    assert.equal(custom.controllerUrl, 'http://orka-api.platform.svc:8080');
    assert.equal(custom.ttlSecondsAfterFinished, 0);
    assert.equal(custom.codexSandboxMode, 'danger-full-access');
    assert.equal(
      parse('--controller-url', 'http://127.0.0.1:8080').controllerUrl,
      'http://127.0.0.1:8080',
    );
  });

  test('sandbox flags: durations become seconds when enabled; bad ones are named', () => {
    const sandbox = parse(
      '--agent-sandbox-enabled',
      '--agent-sandbox-claim-timeout',
      '90s',
      '--agent-sandbox-command-timeout',
      '1h',
    ).sandbox;
    assert.equal(sandbox.enabled, true);
    assert.equal(sandbox.claimTimeoutSeconds, 90);
    assert.equal(sandbox.commandTimeoutSeconds, 3600);
    assert.throws(
      () => parse('--agent-sandbox-enabled', '--agent-sandbox-claim-timeout', 'soon'),
      /--agent-sandbox-claim-timeout: invalid duration "soon"/,
    );
    assert.doesNotThrow(() => parse('--agent-sandbox-claim-timeout', 'soon'));
  });
});
