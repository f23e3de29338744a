// The Dockerfiles cannot be built here, so they are read: user, HOME, writable paths, entrypoint
// and command must be the ones the Job builder and the chart assume, agent CLIs pinned, every
// copied source present. The single-file worker bundle is built and run.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { controllerFlags } from '../../../cli/controller-flags.ts';
import {
  AGENT_RUNTIMES,
  SESSION_DIR,
  WORKER_GID,
  WORKER_HOME,
  WORKER_PROGRAM,
  WORKER_UID,
  WORKER_USER,
  WORKSPACE_DIR,
} from '../../../reconcilers/job/constants.ts';
import {
  all,
  argDefault,
  environment,
  execForm,
  last,
  parseDockerfile,
  type Stage,
} from './dockerfile.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

const AGENT_CLIS = {
  claude: { pkg: '@anthropic-ai/claude-code', versionArg: 'CLAUDE_CODE_VERSION' },
  codex: { pkg: '@openai/codex', versionArg: 'CODEX_VERSION' },
  copilot: { pkg: '@github/copilot', versionArg: 'COPILOT_CLI_VERSION' },
} as const;

const NODE_24 = /^node:24(-|\.|$)/;
/** The chart's controller and webhook run as this uid (seed 002). */
const CONTROLLER_UID = 65532;
const STORE_DIR = posix.dirname(
  controllerFlags.find((flag) => flag.name === 'store-path')!.default as string,
);
/** Folders whose sources the orka program runs from (tsconfig minus test, bench, scripts). */
const PROGRAM_FOLDERS = ['cli', 'api', 'certs', 'policy', 'reconcilers', 'resources', 'store'];

function stagesOf(file: string): Stage[] {
  return parseDockerfile(readFileSync(join(root, 'images', file), 'utf8'));
}

const runs = (stage: Stage) => all(stage, 'RUN').join('\n');

/** Sources of COPY instructions that read the build context (not another stage). */
function contextSources(stage: Stage): string[] {
  return all(stage, 'COPY')
    .filter((value) => !value.includes('--from='))
    .flatMap((value) => {
      const words = value.split(/\s+/).filter((word) => !word.startsWith('--'));
      return words.slice(0, -1);
    });
}

function checkCommon(stages: Stage[]) {
  for (const stage of stages) assert.match(stage.from, NODE_24, `FROM ${stage.from}: Node 24 LTS`);
  for (const stage of stages) {
    for (const source of contextSources(stage)) {
      assert.ok(existsSync(join(root, source)), `COPY ${source}: not in the repository`);
    }
  }
}

describe('worker images', () => {
  for (const runtime of AGENT_RUNTIMES) {
    describe(`images/worker-${runtime}.Dockerfile`, () => {
      const stages = stagesOf(`worker-${runtime}.Dockerfile`);
      const final = stages.at(-1)!;

      test('Node 24 base in every stage; every copied source exists', () => checkCommon(stages));

      test('runs as the worker user the Job builder sets (uid and gid, numeric)', () => {
        assert.equal(last(final, 'USER'), `${WORKER_UID}:${WORKER_GID}`);
        const script = runs(final);
        assert.match(script, new RegExp(`groupadd --gid ${WORKER_GID} ${WORKER_USER}\\b`));
        assert.match(
          script,
          new RegExp(
            `useradd --uid ${WORKER_UID} --gid ${WORKER_GID} --home-dir ${WORKER_HOME} .*\\b${WORKER_USER}$`,
            'm',
          ),
        );
      });

      test('HOME and WORKDIR are the Pod paths; the writable ones belong to the worker', () => {
        assert.equal(environment(final).get('HOME'), WORKER_HOME);
        assert.equal(last(final, 'WORKDIR'), WORKSPACE_DIR);
        const script = runs(final);
        assert.match(script, new RegExp(`mkdir -p ${WORKSPACE_DIR} ${SESSION_DIR}`));
        assert.match(
          script,
          new RegExp(
            `chown ${WORKER_UID}:${WORKER_GID} ${WORKSPACE_DIR} ${SESSION_DIR} ${WORKER_HOME}`,
          ),
        );
      });

      test('ENTRYPOINT is the orka program and CMD runs this runtime', () => {
        assert.deepEqual(execForm(last(final, 'ENTRYPOINT')), [WORKER_PROGRAM[0]]);
        assert.deepEqual(execForm(last(final, 'CMD')), [
          ...WORKER_PROGRAM.slice(1),
          '--runtime',
          runtime,
        ]);
        const copy = all(final, 'COPY').find((value) => value.includes('--from=build'));
        const bundle = copy?.split(/\s+/).at(-1);
        assert.equal(bundle, '/opt/orka/orka-worker.mjs');
        assert.match(
          runs(final),
          new RegExp(`ln -s ${bundle} /usr/local/bin/${WORKER_PROGRAM[0]}`),
        );
        assert.match(runs(stages[0]!), /npm run build:worker -- --outfile \/out\/orka-worker\.mjs/);
      });

      test('the agent CLI comes from npm at a pinned version', () => {
        const { pkg, versionArg } = AGENT_CLIS[runtime];
        assert.match(argDefault(final, versionArg) ?? '', /^\d+\.\d+\.\d+$/);
        assert.ok(
          runs(final).includes(
            `npm install --global --no-audit --no-fund ${pkg}@\${${versionArg}}`,
          ),
        );
      });
    });
  }
});

describe('images/controller.Dockerfile', () => {
  const stages = stagesOf('controller.Dockerfile');
  const final = stages.at(-1)!;

  test('Node 24 base in every stage; every copied source exists', () => checkCommon(stages));

  test('runs as uid 65532, the uid of the chart security context', () => {
    assert.equal(last(final, 'USER'), `${CONTROLLER_UID}:${CONTROLLER_UID}`);
    const values = parseYaml(readFileSync(join(root, 'charts/orka/values.yaml'), 'utf8')) as {
      securityContext: { runAsUser: number };
      podSecurityContext: { runAsUser: number; fsGroup: number };
    };
    assert.equal(values.securityContext.runAsUser, CONTROLLER_UID);
    assert.equal(values.podSecurityContext.runAsUser, CONTROLLER_UID);
    assert.equal(values.podSecurityContext.fsGroup, CONTROLLER_UID);
  });

  test('the store folder exists and belongs to the controller user', () => {
    assert.equal(STORE_DIR, '/data');
    assert.match(runs(final), new RegExp(`mkdir -p ${STORE_DIR}`));
    assert.match(runs(final), new RegExp(`chown ${CONTROLLER_UID}:${CONTROLLER_UID} ${STORE_DIR}`));
  });

  test('ENTRYPOINT is the orka program, CMD the controller; every program folder is copied', () => {
    assert.deepEqual(execForm(last(final, 'ENTRYPOINT')), ['orka']);
    assert.deepEqual(execForm(last(final, 'CMD')), ['controller']);
    const copied = contextSources(stages[0]!);
    for (const folder of ['bin', ...PROGRAM_FOLDERS, 'webhooks', 'worker']) {
      assert.ok(copied.includes(`${folder}/`), `COPY ${folder}/ missing`);
    }
  });
});

describe('npm run build:worker', () => {
  let dir: string;
  let bundle: string;
  let metafile: { inputs: Record<string, unknown>; outputs: Record<string, unknown> };

  before(async () => {
    // Outside the repository: the bundle must run with no node_modules to fall back on.
    dir = mkdtempSync(join(tmpdir(), 'orka-bundle-'));
    bundle = join(dir, 'orka-worker.mjs');
    await run(
      process.execPath,
      ['scripts/build-worker.mjs', '--outfile', bundle, '--metafile', join(dir, 'meta.json')],
      { cwd: root },
    );
    metafile = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('is one file that imports nothing but Node built-ins', () => {
    assert.deepEqual(Object.keys(metafile.outputs).length, 1);
    const text = readFileSync(bundle, 'utf8');
    const imported = [...text.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!);
    const foreign = imported.filter((name) => !builtinModules.includes(name.replace(/^node:/, '')));
    assert.deepEqual(foreign, []);
    assert.match(text, /better-sqlite3 is not in the worker bundle/, 'the store fails loudly');
  });

  for (const command of [['worker'], ['worker', 'fetch-session']]) {
    test(`runs: orka ${command.join(' ')} --help`, async () => {
      const { stdout } = await run(process.execPath, [bundle, ...command, '--help'], { cwd: dir });
      assert.match(stdout, new RegExp(`^usage: orka ${command.join(' ')} \\[flags\\]`));
      if (command.length === 1) assert.match(stdout, /--runtime/);
    });
  }

  test('the worker images copy every source folder the bundle is built from', () => {
    const folders = new Set(
      Object.keys(metafile.inputs)
        .filter((input) => !input.startsWith('node_modules/') && input.includes('/'))
        .map((input) => input.split('/')[0]!),
    );
    assert.ok(folders.has('worker') && folders.has('cli'), [...folders].join(', '));
    for (const runtime of AGENT_RUNTIMES) {
      const copied = contextSources(stagesOf(`worker-${runtime}.Dockerfile`)[0]!);
      for (const folder of folders) {
        assert.ok(copied.includes(`${folder}/`), `worker-${runtime}: COPY ${folder}/ missing`);
      }
    }
  });
});
