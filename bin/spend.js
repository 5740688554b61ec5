#!/usr/bin/env node
// The `spend` command. It runs the compiled build (dist/spend.js, made by `npm run build`, which
// `npm ci` and `npm install` run through the "prepare" script) when every source file that went
// into it is unchanged; otherwise it runs cli/main.ts through tsx's loader, so an edited file is
// never run stale. SPEND_RUN_SOURCES=1 always runs the sources. Why a build: bin/build.js.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildIsCurrent } from './build-state.js';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');

if (process.env.SPEND_RUN_SOURCES !== '1' && buildIsCurrent(root, dist)) {
  await import(pathToFileURL(join(dist, 'spend.js')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
