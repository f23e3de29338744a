import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { agent, denialsBy, type Request } from './harness.ts';

const POLICY = 'orka-agent-semantics';

interface Case extends Request {
  name: string;
  want: string[];
  /** what the schema answers (then alone: no policy validates after a schema failure) */
  schema?: string[];
}

const cases: Case[] = [
  { name: 'a runtime Agent is admitted', object: agent(), want: [] },
  {
    name: 'every runtime of the seeds is admitted',
    object: agent({ spec: { runtime: { type: 'copilot' } } }),
    want: [],
  },
  {
    name: 'an unknown runtime is refused by the schema alone',
    object: agent({ spec: { runtime: { type: 'gemini' } } }),
    want: [],
    schema: [
      'spec.runtime.type: Unsupported value: "gemini": supported values: "copilot", "claude", "codex"',
    ],
  },
  {
    name: 'runtime and providerRef are mutually exclusive',
    object: agent({ spec: { providerRef: { name: 'openai' } } }),
    want: ['runtime and providerRef are mutually exclusive'],
  },
  {
    name: 'a providerRef Agent is admitted',
    object: agent({ spec: { runtime: undefined, providerRef: { name: 'openai' } } }),
    want: [],
  },
  {
    name: 'a model.provider Agent is admitted',
    object: agent({ spec: { runtime: undefined, model: { provider: 'anthropic' } } }),
    want: [],
  },
  {
    name: 'an Agent with neither runtime, providerRef nor model.provider is refused',
    object: agent({ spec: { runtime: undefined } }),
    want: ['either providerRef or model.provider must be specified'],
  },
  {
    name: 'defaultMaxTurns below 1 is refused by the schema alone',
    object: agent({ spec: { runtime: { defaultMaxTurns: 0 } } }),
    want: [],
    schema: [
      'spec.runtime.defaultMaxTurns: Invalid value: 0: spec.runtime.defaultMaxTurns in body should be greater than or equal to 1',
    ],
  },
  {
    name: 'defaultMaxTurns above 1000 is refused by the schema alone',
    object: agent({ spec: { runtime: { defaultMaxTurns: 1001 } } }),
    want: [],
    schema: [
      'spec.runtime.defaultMaxTurns: Invalid value: 1001: spec.runtime.defaultMaxTurns in body should be less than or equal to 1000',
    ],
  },
  {
    name: 'the range bounds themselves are admitted',
    object: agent({
      spec: {
        runtime: { defaultMaxTurns: 1000 },
        model: { temperature: 0, maxTokens: 1 },
        coordination: { enabled: false, maxDepth: 10, maxIterations: 0 },
      },
    }),
    want: [],
  },
  {
    name: 'a fractional temperature above 2 is refused by the schema alone',
    object: agent({ spec: { model: { temperature: 2.5 } } }),
    want: [],
    schema: [
      'spec.model.temperature: Invalid value: 2.5: spec.model.temperature in body should be less than or equal to 2',
    ],
  },
  {
    name: 'every out-of-range number is reported by the schema alone',
    object: agent({
      spec: {
        model: { maxTokens: 0 },
        session: { maxMessages: 0 },
        coordination: { enabled: true, maxConcurrentChildren: 0, maxDepth: 11 },
      },
    }),
    want: [],
    schema: [
      'spec.model.maxTokens: Invalid value: 0: spec.model.maxTokens in body should be greater than or equal to 1',
      'spec.session.maxMessages: Invalid value: 0: spec.session.maxMessages in body should be greater than or equal to 1',
      'spec.coordination.maxConcurrentChildren: Invalid value: 0: spec.coordination.maxConcurrentChildren in body should be greater than or equal to 1',
      'spec.coordination.maxDepth: Invalid value: 11: spec.coordination.maxDepth in body should be less than or equal to 10',
    ],
  },
  {
    name: 'a metadata-only UPDATE is not re-judged',
    oldObject: agent({ spec: { providerRef: { name: 'openai' } } }),
    object: agent({
      metadata: { labels: { team: 'a' } },
      spec: { providerRef: { name: 'openai' } },
    }),
    want: [],
  },
  {
    name: 'an UPDATE that changes the spec is judged',
    oldObject: agent(),
    object: agent({ spec: { providerRef: { name: 'openai' } } }),
    want: ['runtime and providerRef are mutually exclusive'],
  },
];

describe('orka-agent-semantics', () => {
  for (const { name, want, schema = [], ...request } of cases) {
    test(name, () => {
      assert.deepEqual(denialsBy(POLICY, request), want);
      assert.deepEqual(denialsBy('schema', request), schema);
    });
  }
});
