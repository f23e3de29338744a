#!/usr/bin/env node
// `npm run build:worker`: the `orka` program as one ESM file for the worker images and for staging
// into agent-sandbox workspaces (DESIGN §8), which have node but no node_modules.
// Usage: node scripts/build-worker.mjs [--outfile PATH] [--metafile PATH]
//   --outfile   the bundle (default dist/orka-worker.mjs)
//   --metafile  also write esbuild's metafile (which sources went in) as JSON
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const options = { outfile: join(root, 'dist', 'orka-worker.mjs'), metafile: '' };
for (let i = 0; i < args.length; i++) {
  const given = args[i];
  const [name, inline] = given.split(/=(.*)/s);
  const key = name.replace(/^--/, '');
  const value = inline ?? args[++i];
  if (!(key in options) || !name.startsWith('--') || !value) {
    console.error(
      `build-worker: bad argument ${given} (usage: [--outfile PATH] [--metafile PATH])`,
    );
    process.exit(2);
  }
  options[key] = resolve(value);
}
const { outfile } = options;

// The SQLite store belongs to the controller: its native addon cannot live in a single file, and
// no worker command opens it. Commands reach it through the command table's lazy imports, which
// one file inlines, so it is replaced by a module that fails loudly if anything ever opens it.
const STORE_MODULE = 'better-sqlite3';
const controllerOnlyStore = {
  name: 'controller-only-store',
  setup(builder) {
    builder.onResolve({ filter: /^better-sqlite3$/ }, () => ({
      path: STORE_MODULE,
      namespace: 'controller-only',
    }));
    builder.onLoad({ filter: /.*/, namespace: 'controller-only' }, () => ({
      contents: `export default class Database {
  constructor() {
    throw new Error('${STORE_MODULE} is not in the worker bundle: the SQLite store runs in the controller image');
  }
}
`,
      loader: 'js',
    }));
  },
};

mkdirSync(dirname(outfile), { recursive: true });
try {
  const result = await build({
    stdin: {
      contents:
        "import { main } from './cli/main.ts';\nprocess.exitCode = await main(process.argv.slice(2));\n",
      resolveDir: root,
      sourcefile: 'orka-worker-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    // Bundled CommonJS dependencies call require() for Node's built-in modules.
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __orkaCreateRequire } from 'node:module';\nconst require = __orkaCreateRequire(import.meta.url);",
    },
    plugins: [controllerOnlyStore],
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  if (options.metafile) writeFileSync(options.metafile, JSON.stringify(result.metafile));
  const bytes = Object.values(result.metafile.outputs).reduce(
    (sum, output) => sum + output.bytes,
    0,
  );
  console.log(`build-worker: wrote ${outfile} (${(bytes / 1024 / 1024).toFixed(1)} MiB)`);
} catch (error) {
  console.error(`build-worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
