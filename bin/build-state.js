// Whether a build (bin/build.js) was made from exactly the source files now on disk: its
// build-info.json lists every input with its size and modification time.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const BUILD_INFO_FILE = 'build-info.json';

/** True when `dist` holds a build whose every input (paths relative to `root`) is unchanged. */
export function buildIsCurrent(root, dist) {
  try {
    const { entry, inputs } = JSON.parse(readFileSync(join(dist, BUILD_INFO_FILE), 'utf8'));
    statSync(join(dist, entry));
    for (const [file, built] of Object.entries(inputs)) {
      const now = statSync(join(root, file));
      if (now.size !== built.size || now.mtimeMs !== built.mtimeMs) return false;
    }
    return true;
  } catch {
    return false; // no build, or a source file gone
  }
}

/** What bin/spend.js runs: the build in <root>/dist while it is current, unless SPEND_RUN_SOURCES=1. */
export function runsBuild(root) {
  return process.env.SPEND_RUN_SOURCES !== '1' && buildIsCurrent(root, join(root, 'dist'));
}
