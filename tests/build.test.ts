/**
 * The compiled `spend` (bin/build.js) against the sources it is built from: it must run the same
 * commands, reading the files that sit beside its sources (migrations, SQL models, reference
 * data); and bin/spend.js must run it only while every one of those sources is unchanged.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_INFO_FILE, buildIsCurrent } from '../bin/build-state.js';

const ROOT = resolve(import.meta.dirname, '..');

function node(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        done({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
      },
    );
  });
}

describe('the compiled spend command', () => {
  // Inside the project, so that the build's imports find node_modules; a dot folder, so that
  // nothing else walks it.
  const out = join(ROOT, `.build-test-${process.pid}`);
  const work = mkdtempSync(join(tmpdir(), 'spend-build-'));
  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('builds, and runs the models from their SQL files on a new database', async () => {
    const built = await node(['bin/build.js', '--outdir', out]);
    expect(built.code, built.output).toBe(0);
    expect(buildIsCurrent(ROOT, out)).toBe(true);

    const models = readdirSync(join(ROOT, 'transforms', 'models'), { recursive: true }).filter(
      (file) => String(file).endsWith('.sql') && !String(file).endsWith('.keys.sql'),
    ).length;
    const env = { SPEND_DB: join(work, 'spend.duckdb'), SPEND_LOG_LEVEL: 'warn' };
    // A new database: the migrations are read from ingest/migrations/, the models from
    // transforms/models/, the code lists from reference/.
    const run = await node([join(out, 'spend.js'), 'transforms', 'run', '--full'], env);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`${models} built, 0 failed, 0 skipped`);

    const migrations = readdirSync(join(ROOT, 'ingest', 'migrations')).filter((f) =>
      f.endsWith('.sql'),
    ).length;
    const applied = await node(
      [join(out, 'spend.js'), 'sql', 'select count(*) as n from schema_migrations', '--csv'],
      env,
    );
    expect(applied.code, applied.output).toBe(0);
    expect(applied.output.trim().split(/\r?\n/)[1]).toBe(String(migrations));
  });
});

describe('bin/spend.js runs a build only while its sources are unchanged', () => {
  const root = mkdtempSync(join(tmpdir(), 'spend-build-state-'));
  const dist = join(root, 'dist');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function build(files: Record<string, string>): void {
    rmSync(dist, { recursive: true, force: true });
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'spend.js'), '');
    const inputs: Record<string, { size: number; mtimeMs: number }> = {};
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(root, name), text);
      const when = new Date('2026-01-01T00:00:00Z');
      utimesSync(join(root, name), when, when);
      inputs[name] = { size: Buffer.byteLength(text), mtimeMs: when.getTime() };
    }
    writeFileSync(join(dist, BUILD_INFO_FILE), JSON.stringify({ entry: 'spend.js', inputs }));
  }

  it('is current as built', () => {
    build({ 'a.ts': 'export const a = 1;', 'b.ts': 'export const b = 2;' });
    expect(buildIsCurrent(root, dist)).toBe(true);
  });

  it('is stale once a source is edited, even to the same size', () => {
    build({ 'a.ts': 'export const a = 1;', 'b.ts': 'export const b = 2;' });
    writeFileSync(join(root, 'b.ts'), 'export const b = 3;');
    expect(buildIsCurrent(root, dist)).toBe(false);
  });

  it('is stale once a source is gone, or the build is', () => {
    build({ 'a.ts': 'export const a = 1;' });
    rmSync(join(root, 'a.ts'));
    expect(buildIsCurrent(root, dist)).toBe(false);
    build({ 'a.ts': 'export const a = 1;' });
    rmSync(join(dist, 'spend.js'));
    expect(buildIsCurrent(root, dist)).toBe(false);
    rmSync(dist, { recursive: true });
    expect(existsSync(dist)).toBe(false);
    expect(buildIsCurrent(root, dist)).toBe(false);
  });
});
