#!/usr/bin/env node
import { resolve } from 'node:path';
// Runs a TypeScript entry point with tsx's loader (no build step): node bin/run-ts.js file.ts [args…]
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const [, , entry, ...rest] = process.argv;
if (!entry) {
  console.error('usage: node bin/run-ts.js <file.ts> [args…]');
  process.exit(2);
}
process.argv = [process.argv[0], resolve(entry), ...rest];
await import(pathToFileURL(resolve(entry)).href);
