// Child process of crash.test.ts: writes to the store as fast as it can and prints one line per
// write that returned, until the parent kills it. Usage: crash-writer.ts <store path>
import { openStore } from '../../../store/index.ts';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: crash-writer.ts <store path>\n');
  process.exit(2);
}
const store = openStore(path);
const payload = 'r'.repeat(4096);
for (let i = 0; ; i++) {
  store.results.put('crash', `task-${i}`, `${i}:${payload}`);
  process.stdout.write(`result ${i}\n`);
  const session = `session-${i % 3}`;
  store.locks.acquire('crash', session, `task-${i}`, { createSession: true });
  store.sessions.appendMessages('crash', session, [
    { role: 'user', content: `prompt ${i}`, taskName: `task-${i}` },
    { role: 'assistant', content: `answer ${i}:${payload}`, taskName: `task-${i}` },
  ]);
  store.locks.release('crash', session, `task-${i}`);
  process.stdout.write(`messages ${i} ${session}\n`);
}
