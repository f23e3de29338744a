// The suite's polling helper: which probe results keep it waiting, sync and async probes, probes
// that throw, and the error it fails with (what was awaited, evaluated only then, and the last
// probe error). Timeouts here are tiny so a failing wait ends quickly; nothing asserts a duration.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventually } from '../../helpers/eventually.ts';

/** A probe answering from `answers` in turn, the last one from then on; counts its calls. */
function scripted<T>(answers: (() => T)[]) {
  let calls = 0;
  const probe = () => {
    const answer = answers[Math.min(calls, answers.length - 1)];
    calls++;
    assert.ok(answer, 'a scripted probe needs at least one answer');
    return answer();
  };
  return { probe, calls: () => calls };
}

describe('eventually', () => {
  const answers: { name: string; value: unknown }[] = [
    { name: 'true', value: true },
    { name: 'zero', value: 0 },
    { name: 'the empty string', value: '' },
    { name: 'an object', value: { phase: 'Running' } },
    { name: 'an empty array', value: [] },
  ];
  for (const { name, value } of answers) {
    test(`resolves with the probe's value when it is ${name}`, async () => {
      assert.equal(await eventually('an answer', () => value), value);
    });
  }

  for (const notYet of [undefined, null, false]) {
    test(`keeps waiting while the probe returns ${String(notYet)}`, async () => {
      const probe = scripted<unknown>([() => notYet, () => notYet, () => 'ready']);
      assert.equal(await eventually('ready', probe.probe, { intervalMs: 1 }), 'ready');
      assert.equal(probe.calls(), 3);
    });
  }

  test('waits across several polls of an async probe', async () => {
    let calls = 0;
    const value = await eventually(
      'the fifth call',
      async () => {
        calls++;
        await new Promise((resolve) => setImmediate(resolve));
        return calls === 5 ? { calls } : undefined;
      },
      { intervalMs: 1 },
    );
    assert.deepEqual(value, { calls: 5 });
  });

  test('a probe that throws is called again, and its later value is the answer', async () => {
    const probe = scripted<string>([
      () => {
        throw new Error('not found');
      },
      () => 'found',
    ]);
    assert.equal(await eventually('the object', probe.probe, { intervalMs: 1 }), 'found');
    assert.equal(probe.calls(), 2);
  });

  test('a rejecting async probe is called again too', async () => {
    let calls = 0;
    const value = await eventually(
      'the second call',
      async () => {
        calls++;
        if (calls === 1) throw new Error('connection refused');
        return calls;
      },
      { intervalMs: 1 },
    );
    assert.equal(value, 2);
  });

  test('times out naming what was awaited and the last probe error, kept as the cause', async () => {
    let calls = 0;
    const error = await eventually(
      'the Task Running',
      () => {
        calls++;
        throw new Error(`attempt ${calls}: 404 tasks "fix" not found`);
      },
      { timeoutMs: 30, intervalMs: 1 },
    ).then(
      () => assert.fail('expected a timeout'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof Error);
    assert.equal(
      error.message,
      `timed out after 30 ms waiting for the Task Running; the last probe threw: attempt ${calls}: 404 tasks "fix" not found`,
    );
    assert.ok(calls > 1, 'probed until the deadline');
    assert.ok(error.cause instanceof Error);
    assert.equal(error.cause.message, `attempt ${calls}: 404 tasks "fix" not found`);
  });

  test('a probe error followed by a plain "not yet" is not reported as the last error', async () => {
    const probe = scripted<undefined>([
      () => {
        throw new Error('still starting');
      },
      () => undefined,
    ]);
    await assert.rejects(
      eventually('the serving line', probe.probe, { timeoutMs: 20 }),
      (error) => {
        assert.ok(error instanceof Error);
        assert.equal(error.message, 'timed out after 20 ms waiting for the serving line');
        assert.equal(error.cause, undefined);
        return true;
      },
    );
    assert.ok(probe.calls() >= 2);
  });

  test('a thrown non-Error is shown as inspected', async () => {
    await assert.rejects(
      eventually(
        'a value',
        () => {
          throw { code: 409 };
        },
        { timeoutMs: 0 },
      ),
      { message: 'timed out after 0 ms waiting for a value; the last probe threw: { code: 409 }' },
    );
  });

  test('a `what` function is evaluated only at failure, showing the last state seen', async () => {
    let described = 0;
    let seen = 0;
    const what = () => {
      described++;
      return `three events (saw ${seen})`;
    };

    await eventually(what, () => ++seen === 2, { intervalMs: 1 });
    assert.equal(described, 0, 'not evaluated when the wait succeeds');

    seen = 0;
    await assert.rejects(
      eventually(what, () => ++seen > 1000, { timeoutMs: 20, intervalMs: 1 }),
      (error) => {
        assert.ok(error instanceof Error);
        assert.equal(
          error.message,
          `timed out after 20 ms waiting for three events (saw ${seen})`,
          'the state at failure, not at the start',
        );
        return true;
      },
    );
    assert.ok(seen > 1);
    assert.equal(described, 1);
  });

  test('a `what` function that throws still leaves a timeout error naming that', async () => {
    await assert.rejects(
      eventually(
        () => {
          throw new Error('no last state');
        },
        () => false,
        { timeoutMs: 0 },
      ),
      {
        message:
          'timed out after 0 ms waiting for (describing what was awaited threw: no last state)',
      },
    );
  });

  const badOptions: { options: { timeoutMs?: number; intervalMs?: number }; message: RegExp }[] = [
    { options: { timeoutMs: -1 }, message: /timeoutMs must be a finite number.* >= 0, got -1$/ },
    { options: { timeoutMs: Number.NaN }, message: /timeoutMs .* got NaN$/ },
    { options: { timeoutMs: Infinity }, message: /timeoutMs .* got Infinity$/ },
    { options: { intervalMs: 0 }, message: /intervalMs must be a finite number.* >= 1, got 0$/ },
  ];
  for (const { options, message } of badOptions) {
    test(`refuses ${Object.entries(options).map(([key, value]) => `${key} ${value}`)} before probing`, async () => {
      let calls = 0;
      await assert.rejects(
        eventually('x', () => ++calls, options),
        (error) => error instanceof RangeError && message.test(error.message),
      );
      assert.equal(calls, 0);
    });
  }
});
