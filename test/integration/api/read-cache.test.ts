// The API's informer-backed read cache against the stand-in: reads come from the cache once it has
// synced (no apiserver request), Tasks written behind the API's back appear and disappear, the
// informers recover from dropped watches and a compacted history (410 Gone), the API's own writes
// are read back at once, and /readyz waits for the first list.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../helpers/eventually.ts';
import { CONTROLLER, type Harness, startHarness } from './harness.ts';

const TASKS = { group: 'core.orka.ai', version: 'v1alpha1', plural: 'tasks' };

describe('API read cache', () => {
  let h: Harness;
  let token: string;
  before(async () => {
    h = await startHarness({ readCache: true });
    token = h.tokens.client['team-a']!;
    await eventually('synced', async () => (await h.request('GET', '/readyz')).status === 200);
  });
  after(() => h.close());

  const controllerTaskReads = (verb: 'get' | 'list') =>
    h.standin.requestLog.filter(
      (r) => r.username === CONTROLLER && r.resource === 'tasks' && r.verb === verb,
    ).length;
  const listedNames = async () => {
    const response = await h.request('GET', '/api/v1/tasks?namespace=team-a', { token });
    assert.equal(response.status, 200, response.text);
    return (response.json.items as { metadata: { name: string } }[]).map((t) => t.metadata.name);
  };
  const getStatus = async (name: string) =>
    (await h.request('GET', `/api/v1/tasks/${name}?namespace=team-a`, { token })).status;
  const deleteBehindTheBack = (name: string) =>
    h.custom.deleteNamespacedCustomObject({ ...TASKS, namespace: 'team-a', name });

  test('a Task created behind the API is listed once its watch event arrives, and then read without an apiserver request', async () => {
    await h.putTask('team-a', 'behind');
    await eventually('listed', async () => (await listedNames()).includes('behind'));
    const gets = controllerTaskReads('get');
    const lists = controllerTaskReads('list');
    for (let i = 0; i < 5; i++) {
      const response = await h.request('GET', '/api/v1/tasks/behind?namespace=team-a', { token });
      assert.equal(response.status, 200);
      assert.equal(response.json.metadata.name, 'behind');
    }
    await listedNames();
    assert.equal(controllerTaskReads('get'), gets, 'GETs served from the cache');
    assert.equal(controllerTaskReads('list'), lists, 'lists served from the cache');
  });

  test('a cache miss asks the apiserver, so a Task created a moment ago is found', async () => {
    await h.putTask('team-a', 'just-made');
    assert.equal(await getStatus('just-made'), 200);
    assert.equal(await getStatus('never-made'), 404);
  });

  test('a Task deleted behind the API disappears from reads and lists', async () => {
    await h.putTask('team-a', 'doomed');
    await eventually('listed', async () => (await listedNames()).includes('doomed'));
    await deleteBehindTheBack('doomed');
    await eventually('gone from the list', async () => !(await listedNames()).includes('doomed'));
    assert.equal(await getStatus('doomed'), 404);
  });

  test('a cleanly ended watch resumes and keeps the cache current', async () => {
    await eventually('watching', async () => h.standin.openWatches() >= 2);
    assert.ok(h.standin.dropWatches() >= 2);
    await h.putTask('team-a', 'after-drop');
    await eventually('listed', async () => (await listedNames()).includes('after-drop'));
  });

  test('after an abrupt drop and a compacted history (410 Gone) the cache relists and catches up', async () => {
    await h.putTask('team-a', 'removed-while-away');
    await eventually('listed', async () => (await listedNames()).includes('removed-while-away'));
    const lists = controllerTaskReads('list');
    h.standin.dropWatches({ abrupt: true });
    await h.putTask('team-a', 'made-while-away');
    await deleteBehindTheBack('removed-while-away');
    h.standin.compactHistory();
    await eventually('caught up', async () => {
      const names = await listedNames();
      return names.includes('made-while-away') && !names.includes('removed-while-away');
    });
    assert.ok(controllerTaskReads('list') > lists, 'relisted after 410');
  });

  test("the API's own writes are read back at once, even while the watch cannot deliver them", async () => {
    await eventually('watching', async () => h.standin.openWatches() >= 2);
    // Watches that fail to reopen for a while: only the read-your-writes rule can show the Task.
    h.standin.failNext({ verb: 'watch', resource: 'tasks', username: CONTROLLER, count: 3 });
    h.standin.dropWatches({ abrupt: true });
    const created = await h.request('POST', '/api/v1/tasks', {
      token,
      body: { name: 'mine', namespace: 'team-a', type: 'ai', ai: { prompt: 'p' } },
    });
    assert.equal(created.status, 201, created.text);
    const gets = controllerTaskReads('get');
    const read = await h.request('GET', '/api/v1/tasks/mine?namespace=team-a', { token });
    assert.equal(read.status, 200);
    assert.equal(read.json.metadata.uid, created.json.metadata.uid);
    assert.ok((await listedNames()).includes('mine'));
    assert.equal(controllerTaskReads('get'), gets, 'served from what the API wrote');

    const deleted = await h.request('DELETE', '/api/v1/tasks/mine?namespace=team-a', { token });
    assert.equal(deleted.status, 204, deleted.text);
    assert.equal(await getStatus('mine'), 404, 'a Task the API deleted is read live');
    await eventually('gone once watched', async () => !(await listedNames()).includes('mine'));
  });

  test('cached lists page by name with continue tokens and remainingItemCount', async () => {
    for (const name of ['page-c', 'page-a', 'page-b']) await h.putTask('team-b', name);
    const tokenB = h.tokens.client['team-b']!;
    const list = async (query: string) => {
      const response = await h.request('GET', `/api/v1/tasks?namespace=team-b${query}`, {
        token: tokenB,
      });
      assert.equal(response.status, 200, response.text);
      return response.json as {
        items: { metadata: { name: string } }[];
        metadata: { continue?: string; remainingItemCount?: number };
      };
    };
    await eventually('all three cached', async () => (await list('')).items.length === 3);
    const lists = controllerTaskReads('list');
    const first = await list('&limit=2');
    assert.deepEqual(
      first.items.map((t) => t.metadata.name),
      ['page-a', 'page-b'],
    );
    assert.equal(first.metadata.remainingItemCount, 1);
    assert.ok(first.metadata.continue);
    const second = await list(`&limit=2&continue=${encodeURIComponent(first.metadata.continue)}`);
    assert.deepEqual(
      second.items.map((t) => t.metadata.name),
      ['page-c'],
    );
    assert.deepEqual(second.metadata, {});
    assert.equal(controllerTaskReads('list'), lists, 'paged from the cache');
  });

  test('Agents are listed from the cache too', async () => {
    await h.custom.createNamespacedCustomObject({
      group: 'core.orka.ai',
      version: 'v1alpha1',
      plural: 'agents',
      namespace: 'team-a',
      body: {
        apiVersion: 'core.orka.ai/v1alpha1',
        kind: 'Agent',
        metadata: { name: 'coder' },
        spec: { runtime: { type: 'claude' } },
      },
    });
    await eventually('agent listed', async () => {
      const response = await h.request('GET', '/api/v1/agents?namespace=team-a', { token });
      return response.json?.items?.some(
        (a: { metadata: { name: string } }) => a.metadata.name === 'coder',
      );
    });
    const agentReads = h.standin.requestLog.filter(
      (r) => r.username === CONTROLLER && r.resource === 'agents' && r.verb !== 'watch',
    ).length;
    const agent = await h.request('GET', '/api/v1/agents/coder?namespace=team-a', { token });
    assert.equal(agent.status, 200, agent.text);
    assert.equal(
      h.standin.requestLog.filter(
        (r) => r.username === CONTROLLER && r.resource === 'agents' && r.verb !== 'watch',
      ).length,
      agentReads,
    );
  });
});

describe('API read cache: readiness', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      readCache: true,
      // The Agent informer's first lists fail, so the cache cannot sync for a while.
      beforeApi: (standin) =>
        standin.failNext({
          verb: 'list',
          resource: 'agents',
          namespace: '',
          username: CONTROLLER,
          count: 3,
        }),
    });
  });
  after(() => h.close());

  test('/readyz is 503 until the informers have listed, while reads go to the apiserver', async () => {
    const first = await h.request('GET', '/readyz');
    assert.equal(first.status, 503, first.text);
    assert.deepEqual(first.json.checks, { store: 'ok', kubernetes: 'unhealthy' });
    await h.putTask('team-a', 'early');
    const token = h.tokens.client['team-a']!;
    const read = await h.request('GET', '/api/v1/tasks/early?namespace=team-a', { token });
    assert.equal(read.status, 200, read.text);
    await eventually('ready', async () => (await h.request('GET', '/readyz')).status === 200);
  });
});
