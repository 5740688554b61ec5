/**
 * The project's layers and the imports between them, read from the TypeScript sources with
 * TypeScript's own parser (static imports, re-exports, `import()` and `require()`).
 * tests/architecture.test.ts fails when an import points the wrong way; `npm run docs:architecture`
 * draws the picture in docs/architecture.md from the same data (and the test checks it is current).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export const ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * Which layer may import which, lowest first. Test files (`*.test.ts`, wherever they sit) belong to
 * `tests`: a unit test beside the code may use the test helpers and the demo generator.
 */
export const LAYERS = {
  lib: { allowed: [], role: 'ground floor: config, db, money, errors, fields, log, bodies, stats' },
  ingest: { allowed: ['lib'], role: 'Kafka in: consumers, topic contracts, uploads, migrations' },
  transforms: { allowed: ['lib'], role: 'SQL models, resolver, contracts, scheduler' },
  owner: {
    allowed: ['lib', 'ingest', 'transforms'],
    role: 'the owning process, its control socket and the operations it answers',
  },
  api: { allowed: ['lib', 'owner'], role: 'HTTP API (express)' },
  'kafka-local': {
    allowed: ['lib', 'ingest'],
    role: "the project's own local Kafka broker (probes it with ingest's client)",
  },
  demo: { allowed: ['lib', 'ingest'], role: 'deterministic demo data generator and publisher' },
  cli: {
    allowed: ['lib', 'ingest', 'transforms', 'owner', 'api', 'kafka-local', 'demo'],
    role: 'the `spend` command',
  },
  evaluation: {
    allowed: ['lib', 'transforms', 'demo'],
    role: 'measures of the resolver on planted and real data',
  },
  bench: { allowed: '*', role: 'benchmarks' },
  tests: { allowed: '*', role: 'integration tests and test helpers' },
  dashboards: { allowed: [], role: 'web pages: HTTP only' },
} as const satisfies Record<string, { allowed: readonly string[] | '*'; role: string }>;

export type Layer = keyof typeof LAYERS;

/** The one module allowed to import the Kafka client library (tests may reach its internals). */
export const KAFKA_CLIENT_MODULE = 'ingest/kafka/client.ts';

/** Folders outside the layers: bin/ only starts cli/ and kafka-local/ (built by bin/build.js, or through tsx). */
const OUTSIDE_LAYERS = new Set(['bin']);

/** Source files in a top-level folder the layers do not place: a new folder needs a line in LAYERS. */
export function unplacedFiles(files = sourceFiles()): string[] {
  return files.filter((file) => {
    const top = file.split('/')[0] as string;
    return file.includes('/') && !OUTSIDE_LAYERS.has(top) && layerOf(file) === undefined;
  });
}

export type Import = { from: string; to: string; fromLayer: Layer; toLayer: Layer };
export type PackageImport = { from: string; fromLayer: Layer; specifier: string };

const SKIPPED = new Set(['node_modules', 'data', 'docs', 'dist', '.git', '.ci', 'coverage']);

export function sourceFiles(dir = ROOT): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIPPED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files.map((file) => relative(ROOT, file).split(sep).join('/')).sort();
}

/** The layer a file belongs to, or undefined for files outside the layers (bin/, config at the root). */
export function layerOf(file: string): Layer | undefined {
  if (/\.test\.[mc]?[jt]s$/.test(file)) return 'tests';
  const top = file.split('/')[0] as string;
  return Object.hasOwn(LAYERS, top) ? (top as Layer) : undefined;
}

export function readImports(files = sourceFiles()): { imports: Import[]; packages: PackageImport[] } {
  const imports: Import[] = [];
  const packages: PackageImport[] = [];
  for (const from of files) {
    const fromLayer = layerOf(from);
    if (!fromLayer) continue;
    const text = readFileSync(join(ROOT, from), 'utf8');
    const { importedFiles } = ts.preProcessFile(text, true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (!specifier.startsWith('.')) {
        packages.push({ from, fromLayer, specifier });
        continue;
      }
      const to = relative(ROOT, resolve(ROOT, dirname(from), specifier))
        .split(sep)
        .join('/');
      const toLayer = layerOf(to);
      if (toLayer) imports.push({ from, to, fromLayer, toLayer });
    }
  }
  return { imports, packages };
}

export function isAllowed(from: Layer, to: Layer): boolean {
  if (from === to) return true;
  const allowed: readonly string[] | '*' = LAYERS[from].allowed;
  return allowed === '*' || allowed.includes(to);
}

/** Imports that point the wrong way, as sentences naming the file. */
export function wrongWayImports(imports: Import[]): string[] {
  return imports
    .filter((i) => !isAllowed(i.fromLayer, i.toLayer))
    .map(
      (i) =>
        `${i.from} (${i.fromLayer}) imports ${i.to} (${i.toLayer}): ${i.fromLayer} may import ${describeAllowed(i.fromLayer)}`,
    );
}

function describeAllowed(layer: Layer): string {
  const allowed: readonly string[] | '*' = LAYERS[layer].allowed;
  if (allowed === '*') return 'anything';
  return allowed.length === 0 ? 'nothing of the project' : allowed.join(', ');
}

/** Product files other than the client module that import kafkajs (or a path inside it). */
export function strayKafkaImports(packages: PackageImport[]): string[] {
  return packages
    .filter(
      (p) => /^kafkajs(\/|$)/.test(p.specifier) && p.fromLayer !== 'tests' && p.from !== KAFKA_CLIENT_MODULE,
    )
    .map((p) => `${p.from} imports ${p.specifier}: only ${KAFKA_CLIENT_MODULE} may`);
}

export const DOC_PATH = 'docs/architecture.md';
const BEGIN =
  '<!-- BEGIN generated by `npm run docs:architecture`: edit tests/architecture/imports.ts instead -->';
const END = '<!-- END generated -->';

/** The generated part of docs/architecture.md: the rules, and the imports as they are today. */
export function renderLayers(imports: Import[]): string {
  const drawn = (layer: Layer) => layer !== 'tests' && layer !== 'bench';
  const id = (layer: string) => layer.replace('-', '_');
  // Folder to folder, without counts: the picture changes when a new kind of dependency appears.
  const edges = new Set<string>();
  for (const i of imports) {
    if (i.fromLayer !== i.toLayer && drawn(i.fromLayer) && drawn(i.toLayer)) {
      edges.add(`${id(i.fromLayer)} --> ${id(i.toLayer)}`);
    }
  }
  const lines = [
    BEGIN,
    '```mermaid',
    'flowchart TD',
    ...(Object.keys(LAYERS) as Layer[]).filter(drawn).map((layer) => `  ${id(layer)}["${layer}/"]`),
    ...[...edges].sort().map((edge) => `  ${edge}`),
    '```',
    '',
    'Arrows are the imports between folders in the code today, drawn by the script; `tests/` and `bench/`',
    'may import anything and are left out of the picture. The rules the test enforces:',
    '',
    '| folder | may import | what it holds |',
    '|---|---|---|',
    ...(Object.entries(LAYERS) as [Layer, (typeof LAYERS)[Layer]][]).map(
      ([layer, { role }]) => `| \`${layer}/\` | ${describeAllowed(layer)} | ${role} |`,
    ),
    END,
  ];
  return lines.join('\n');
}

/** docs/architecture.md with its generated part replaced by `generated`. */
export function withGeneratedPart(doc: string, generated: string): string {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${DOC_PATH} has no generated part (${BEGIN} … ${END})`);
  return doc.slice(0, begin) + generated + doc.slice(end + END.length);
}

/**
 * Test files that import `target`, directly or through other modules. vitest.config.ts puts the
 * tests that reach tests/helpers/kafka.ts (the only way to the broker's address) in the
 * integration project, and every other test in the unit project.
 */
export function testFilesReaching(target: string, files = sourceFiles()): string[] {
  const { imports } = readImports(files);
  const importers = new Map<string, string[]>();
  for (const { from, to } of imports) importers.set(to, [...(importers.get(to) ?? []), from]);
  const reaching = new Set([target]);
  const queue = [target];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    for (const importer of importers.get(file) ?? []) {
      if (!reaching.has(importer)) {
        reaching.add(importer);
        queue.push(importer);
      }
    }
  }
  return [...reaching].filter((file) => /\.test\.ts$/.test(file)).sort();
}
