#!/usr/bin/env node
// The `spend` command. It runs the compiled build (dist/spend.js, made by `npm run build`, which
// `npm ci` and `npm install` run through the "prepare" script) when every source file that went
// into it is unchanged; otherwise it runs cli/main.ts through tsx's loader, so an edited file is
// never run stale. SPEND_RUN_SOURCES=1 always runs the sources. Why a build: bin/build.js.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runsBuild } from './build-state.js';

const root = join(import.meta.dirname, '..');

if (runsBuild(root)) {
  await import(pathToFileURL(join(root, 'dist', 'spend.js')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
