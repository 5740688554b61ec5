/** Redraws the generated part of docs/architecture.md: `npm run docs:architecture`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOC_PATH, ROOT, readImports, renderLayers, withGeneratedPart } from './imports.ts';

const path = join(ROOT, DOC_PATH);
writeFileSync(path, withGeneratedPart(readFileSync(path, 'utf8'), renderLayers(readImports().imports)));
process.stdout.write(`wrote ${DOC_PATH}\n`);
