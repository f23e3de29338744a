import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { durationSeconds, parseDuration } from '../../../resources/duration.ts';

describe('parseDuration (Go time.ParseDuration syntax)', () => {
  const cases: [string, number][] = [
    ['30m', 1_800_000],
    ['10m0s', 600_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['2m', 120_000],
    ['0', 0],
    ['1500us', 1.5],
    ['.5s', 500],
  ];
  for (const [text, ms] of cases)
    test(`${text} = ${ms} ms`, () => assert.equal(parseDuration(text), ms));

  for (const bad of ['', '30', '1d', '-5m', '5 m', 'm', '1h-30m']) {
    test(`"${bad}" is refused, naming it`, () => {
      assert.throws(() => parseDuration(bad), new RegExp(`invalid duration "${bad}"`));
    });
  }

  test('durationSeconds rounds down as Go int64(d.Seconds())', () => {
    assert.equal(durationSeconds('30m'), 1800);
    assert.equal(durationSeconds('1500ms'), 1);
  });
});
