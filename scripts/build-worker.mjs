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

// Modules with native addons cannot live in a single file; the worker never loads either, so each
// is replaced by a module that fails loudly if anything ever uses it.
// - better-sqlite3: the SQLite store belongs to the controller; no worker command opens it, but the
//   command table's lazy imports, which one file inlines, reach it.
// - koffi: only @github/copilot-sdk's in-process (FFI) transport loads it; the worker starts the
//   Copilot CLI over stdio.
const NATIVE_STUBS = {
  'better-sqlite3': `export default class Database {
  constructor() {
    throw new Error('better-sqlite3 is not in the worker bundle: the SQLite store runs in the controller image');
  }
}
`,
  koffi: `export default new Proxy({}, {
  get() {
    throw new Error('koffi is not in the worker bundle: the worker runs the Copilot CLI over stdio, not in-process');
  },
});
`,
};
const nativeStubs = {
  name: 'native-stubs',
  setup(builder) {
    const names = Object.keys(NATIVE_STUBS).join('|');
    builder.onResolve({ filter: new RegExp(`^(${names})$`) }, ({ path }) => ({
      path,
      namespace: 'native-stub',
    }));
    builder.onLoad({ filter: /.*/, namespace: 'native-stub' }, ({ path }) => ({
      contents: NATIVE_STUBS[path],
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
    plugins: [nativeStubs],
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
