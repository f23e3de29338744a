// The worker with the real Claude Code CLI (the version the image pins) against a local stand-in
// of the Anthropic Messages API: one turn, and the model endpoint received the Task's prompt, the
// Agent's system prompt (appended to Claude Code's own) and the model. The CLI is installed into
// a cache on first use; where that is impossible the test is skipped with the reason, unless
// ORKA_REQUIRE_AGENT_CLI=true (CI), where it fails.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentCli, claudeCodeCli } from '../../helpers/agent-cli.ts';
import { type AnthropicStandin, startAnthropicStandin } from '../../helpers/anthropic-standin.ts';
import { podDirs, podEnv, RecordingServer, runOrka } from './helpers.ts';

const API_KEY = 'sk-ant-standin-canary-0123456789';
const MODEL = 'claude-sonnet-4-5';
const SYSTEM_PROMPT = 'You are the ORKA-SYSTEM-MARKER reviewer.';
const PROMPT = 'Reply exactly: ORKA_REAL_CLI_OK';
const REPLY = 'ORKA_REAL_CLI_OK';

const cli: AgentCli = claudeCodeCli();
const required = process.env.ORKA_REQUIRE_AGENT_CLI === 'true';
const skip = 'skip' in cli && !required ? `real Claude Code CLI unavailable: ${cli.skip}` : false;
if (skip) process.stderr.write(`SKIPPED real CLI test: ${skip}\n`);

describe('worker with the real Claude Code CLI', { skip }, () => {
  let model: AnthropicStandin;
  const api = new RecordingServer();
  let apiUrl = '';
  before(async () => {
    if ('skip' in cli) throw new Error(`ORKA_REQUIRE_AGENT_CLI=true but ${cli.skip}`);
    model = await startAnthropicStandin(REPLY);
    apiUrl = await api.start();
  });
  after(async () => {
    await model?.stop();
    await api.stop();
  });

  test('one turn: prompt, system prompt and model reach the model; its answer is the result', async () => {
    assert.ok('path' in cli);
    const dirs = podDirs();
    const run = await runOrka(
      ['worker', '--runtime', 'claude'],
      podEnv(dirs, apiUrl, {
        CLAUDE_CLI_PATH: cli.path,
        ANTHROPIC_BASE_URL: model.url,
        ANTHROPIC_API_KEY: API_KEY,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        ORKA_PROMPT: PROMPT,
        ORKA_MODEL: MODEL,
        ORKA_SYSTEM_PROMPT: SYSTEM_PROMPT,
        ORKA_MAX_TURNS: '1',
      }),
    );
    assert.equal(run.code, 0, run.stderr);

    const turns = model.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages');
    const turn = turns.find((r) => r.body?.model === MODEL);
    assert.ok(
      turn,
      `no /v1/messages request for ${MODEL}: ${JSON.stringify(turns.map((r) => r.body?.model))}`,
    );
    assert.equal(turn.apiKey, API_KEY);
    assert.ok(JSON.stringify(turn.body.system).includes(SYSTEM_PROMPT), 'system prompt appended');
    assert.ok(
      JSON.stringify(turn.body.system).length > SYSTEM_PROMPT.length * 4,
      "Claude Code's own system prompt kept (append, not replace)",
    );
    assert.ok(
      JSON.stringify(turn.body.messages).includes(PROMPT),
      'the Task prompt is the user turn',
    );

    const [posted] = api.posted('/internal/v1/results/team-a/task-1');
    assert.ok(posted, 'result submitted');
    assert.equal(posted.body.toString().trim(), REPLY);
    assert.ok(!run.stdout.includes(API_KEY) && !run.stderr.includes(API_KEY));
  });
});
