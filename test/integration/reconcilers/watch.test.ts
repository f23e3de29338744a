// The informers keep the controller going when the stand-in ends watches: a clean end resumes
// from the last resourceVersion, a reset restarts with backoff, a compacted history (410 Gone)
// relists.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../helpers/eventually.ts';
import { Fixture } from './harness.ts';

describe('Task reconciler: watches', () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.start();
    await f.namespace('w');
    await f.createAgent('w', 'coder');
  });
  after(() => f.stop());

  const taskLists = () =>
    f.standin.requestLog.filter((r) => r.resource === 'tasks' && r.verb === 'list').length;

  test('a cleanly ended watch resumes without a relist and sees new Tasks', async () => {
    await eventually('informers watching', () => f.standin.openWatches() >= 5);
    const lists = taskLists();
    assert.ok(f.standin.dropWatches() >= 5);
    await f.createTask('w', 'after-drop');
    await f.waitForPhase('w', 'after-drop', 'Running');
    assert.equal(taskLists(), lists, 'resumed from its resourceVersion, no new list');
  });

  test('an abruptly reset watch is restarted and sees new Tasks', async () => {
    await eventually('informers watching', () => f.standin.openWatches() >= 5);
    f.standin.dropWatches({ abrupt: true });
    await f.createTask('w', 'after-reset');
    await f.waitForPhase('w', 'after-reset', 'Running');
  });

  test('410 Gone after the history is compacted: the informer relists and catches up', async () => {
    await eventually('informers watching', () => f.standin.openWatches() >= 5);
    const lists = taskLists();
    // Tasks written while no watch is open, then history forgotten: resuming must fail with 410.
    f.standin.dropWatches({ abrupt: true });
    await f.createTask('w', 'while-away');
    f.standin.compactHistory();
    await f.waitForPhase('w', 'while-away', 'Running');
    assert.ok(taskLists() > lists, 'relisted after 410');
  });
});
