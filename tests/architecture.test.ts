/**
 * Layers only point down (DEVELOPERS.md): every import between folders follows the rules in
 * tests/architecture/imports.ts, one module imports kafkajs, and docs/architecture.md shows the
 * imports as they are.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DOC_PATH,
  KAFKA_CLIENT_MODULE,
  ROOT,
  readImports,
  renderLayers,
  strayKafkaImports,
  unplacedFiles,
  withGeneratedPart,
  wrongWayImports,
} from './architecture/imports.ts';

const { imports, packages } = readImports();

describe('the layers', () => {
  it('reads the imports it judges', () => {
    // A scanner that found nothing would pass everything.
    expect(imports).toContainEqual(
      expect.objectContaining({ from: 'owner/operations.ts', to: 'ingest/uploads/operations.ts' }),
    );
    expect(packages).toContainEqual(
      expect.objectContaining({ from: KAFKA_CLIENT_MODULE, specifier: 'kafkajs' }),
    );
  });

  it('place every folder', () => {
    expect(unplacedFiles()).toEqual([]);
    expect(unplacedFiles(['savings/ledger.ts', 'bin/spend.js', 'vitest.config.ts'])).toEqual([
      'savings/ledger.ts',
    ]);
  });

  it('only point down', () => {
    expect(wrongWayImports(imports)).toEqual([]);
  });

  it('name the wrong-way import, with the file', () => {
    const upward = [
      { from: 'lib/db.ts', to: 'ingest/schema-migrations.ts', fromLayer: 'lib', toLayer: 'ingest' },
      { from: 'ingest/consumer.ts', to: 'demo/generate.ts', fromLayer: 'ingest', toLayer: 'demo' },
      { from: 'api/app.ts', to: 'ingest/consumer.ts', fromLayer: 'api', toLayer: 'ingest' },
      {
        from: 'transforms/runner.ts',
        to: 'tests/helpers/kafka.ts',
        fromLayer: 'transforms',
        toLayer: 'tests',
      },
      { from: 'owner/process.ts', to: 'api/app.ts', fromLayer: 'owner', toLayer: 'api' },
    ] as const;
    const found = wrongWayImports([...upward]);
    expect(found).toHaveLength(upward.length);
    expect(found[0]).toBe(
      'lib/db.ts (lib) imports ingest/schema-migrations.ts (ingest): lib may import nothing of the project',
    );
  });

  it(`let only ${KAFKA_CLIENT_MODULE} import kafkajs`, () => {
    expect(strayKafkaImports(packages)).toEqual([]);
    expect(
      strayKafkaImports([{ from: 'ingest/kafka/codecs.ts', fromLayer: 'ingest', specifier: 'kafkajs' }]),
    ).toHaveLength(1);
  });

  it(`are drawn as they are in ${DOC_PATH} (npm run docs:architecture redraws it)`, () => {
    const doc = readFileSync(join(ROOT, DOC_PATH), 'utf8');
    expect(doc).toBe(withGeneratedPart(doc, renderLayers(imports)));
  });
});
