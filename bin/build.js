#!/usr/bin/env node
// npm run build [-- --outdir DIR]: compiles the `spend` command (cli/main.ts and everything it
// imports) into ES modules in dist/ (or DIR, which must sit inside the project so that packages
// resolve from its node_modules), with esbuild (installed already: tsx is built on it).
//
// Why: run through tsx's loader, every `spend` process carries the loader's own thread, its
// transform cache and the helpers it wraps around every function, ~35 MiB of resident memory and
// some CPU (BENCHMARKS.md "Ingest memory"). bin/spend.js runs the build when it is current and
// the sources through tsx otherwise (bin/build-state.js), so an edited file is never run stale.
//
// Files read at run time relative to their source folder (migrations, SQL models, dashboards,
// reference data) keep working: each source file's `import.meta.dirname` / `import.meta.url` is
// rewritten to that file's own folder in the source tree, not the build's.
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { BUILD_INFO_FILE } from './build-state.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { outdir: { type: 'string', default: join(ROOT, 'dist') } } });
const DIST = resolve(values.outdir);
if (relative(ROOT, DIST).startsWith('..')) {
  console.error(`--outdir must be inside ${ROOT}: the build imports packages from its node_modules`);
  process.exit(2);
}

const sourceFolders = {
  name: 'source-folders',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
      if (path.includes(`${join('node_modules', '')}`)) return undefined;
      const file = relative(ROOT, path).split('\\').join('/');
      const text = await readFile(path, 'utf8');
      const contents = text
        .replaceAll('import.meta.dirname', `__spendSourcePath(${JSON.stringify(dirname(file))})`)
        .replaceAll('import.meta.url', `__spendSourceUrl(${JSON.stringify(file)})`);
      return { contents, loader: 'ts' };
    });
  },
};

// Every file of the build sits directly in DIST; the project root is found from there.
const banner = [
  "import { fileURLToPath as __spendFileURLToPath, pathToFileURL as __spendPathToFileURL } from 'node:url';",
  "import { dirname as __spendDirname, join as __spendJoin } from 'node:path';",
  `const __spendRoot = __spendJoin(__spendDirname(__spendFileURLToPath(import.meta.url)), ${JSON.stringify(relative(DIST, ROOT))});`,
  'const __spendSourcePath = (folder) => __spendJoin(__spendRoot, folder);',
  'const __spendSourceUrl = (file) => __spendPathToFileURL(__spendJoin(__spendRoot, file)).href;',
].join('\n');

const started = Date.now();
const result = await build({
  entryPoints: { spend: join(ROOT, 'cli', 'main.ts') },
  outdir: DIST,
  // A dynamic import() becomes a chunk of its own, loaded when reached, with the packages it
  // imports: a command's heavy libraries (express, apache-arrow, the workbook reader) stay out of
  // the processes that never run it.
  splitting: true,
  chunkNames: '[name]-[hash]',
  bundle: true,
  absWorkingDir: ROOT, // the metafile's paths are relative to it
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // Class and function names as in the sources (error names, logs), as tsx keeps them.
  keepNames: true,
  sourcemap: true,
  metafile: true,
  banner: { js: banner },
  plugins: [sourceFolders],
  logLevel: 'warning',
});

// Files of earlier builds are left for a week: a process started from one of them (a `spend
// serve` running for days) may still load one of its chunks, named by content hash, on first use.
const PRUNE_AFTER_MS = 7 * 24 * 3600 * 1000;
const written = new Set(Object.keys(result.metafile.outputs).map((output) => resolve(ROOT, output)));
for (const name of await readdir(DIST)) {
  const path = join(DIST, name);
  if (written.has(path) || name === BUILD_INFO_FILE) continue; // the outputs include the .map files
  if (Date.now() - (await stat(path)).mtimeMs > PRUNE_AFTER_MS) await rm(path, { force: true });
}

// Every source file that went in, with its size and modification time (bin/build-state.js).
const inputs = {};
for (const input of Object.keys(result.metafile.inputs)) {
  const info = await stat(join(ROOT, input));
  inputs[input] = { size: info.size, mtimeMs: info.mtimeMs };
}
const info = { builtAt: new Date().toISOString(), entry: 'spend.js', inputs };
await writeFile(join(DIST, BUILD_INFO_FILE), `${JSON.stringify(info, null, 1)}\n`);
console.log(
  `built ${relative(ROOT, join(DIST, 'spend.js'))} from ${Object.keys(inputs).length} source files in ${Date.now() - started} ms`,
);
