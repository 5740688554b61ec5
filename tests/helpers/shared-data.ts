/**
 * Test inputs that live outside the repository (../shared datasets, Kafka's jars). Elsewhere a
 * test that needs a missing one is skipped, saying so on stderr; under CI=true the absence fails
 * the run instead, since a CI run that quietly skips proves nothing.
 */
import { existsSync } from 'node:fs';

export function requiredUnderCi(what: string, present: boolean, where: string): boolean {
  if (present) return true;
  if (process.env.CI === 'true') {
    throw new Error(
      `${what}: ${where} is missing, and CI=true requires it (the tests needing it would be skipped)`,
    );
  }
  process.stderr.write(`${what}: SKIPPED — ${where} not found\n`);
  return false;
}

/** Whether every path exists; see requiredUnderCi. */
export function sharedDataPresent(what: string, ...paths: string[]): boolean {
  const missing = paths.filter((path) => !existsSync(path));
  return requiredUnderCi(what, missing.length === 0, missing.join(', '));
}
