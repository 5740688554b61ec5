/**
 * Summarises a `node --cpu-prof` profile of the ingest process: where its main (JavaScript) thread
 * spent the run, by category of code (self time) and for the pipeline's key steps (inclusive time).
 * DuckDB's own work runs on its threads; on the main thread it shows as idle time while a query
 * (a flush's inserts and COMMIT) is awaited, or as time inside the appender's native calls. V8 shows no
 * frame for JSON.parse: its time is part of decodeMessage's self time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdownTable } from './report.ts';

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Categories for self time, first match wins (matched against "url functionName"). */
const CATEGORIES: [string, RegExp][] = [
  ['idle (awaiting Kafka fetches or DuckDB queries)', /^ \(idle\)$/],
  ['garbage collection', /^ \(garbage collector\)$/],
  ['kafkajs (fetch, protocol decoding, batching)', /node_modules\/kafkajs\//],
  ['zod validation', /node_modules\/zod\//],
  [
    'DuckDB appender / bindings (JS side + native calls)',
    /node_modules\/@duckdb\/|^ (append\w*|endRow|flush\w*|close\w*|createAppender|run\w*)$/,
  ],
  ['pino logging', /node_modules\/(pino|sonic-boom|thread-stream)/],
  ['tsx loader / module loading', /node_modules\/(tsx|esbuild|get-tsconfig)\/|node:internal\/modules/],
  ['ingest/ code (decode, rows, batch writer, handlers)', /\/ingest\//],
  ['lib/ and cli/ code', /\/(lib|cli)\//],
  ['node internals (streams, sockets, buffers, timers)', /^node:/],
  ['other native / V8 (program)', /^ \(program\)$|^ /],
];

/** Functions whose inclusive time (callees included) tells the story of one message. */
const KEY_FUNCTIONS: [string, (f: CallFrame) => boolean][] = [
  ['stageBatch (decoding + staging in the temp table)', (f) => f.functionName === 'stageBatch'],
  ['  decodeMessage (JSON.parse + zod + key checks)', (f) => f.functionName === 'decodeMessage'],
  ['    zod safeParse', (f) => /node_modules\/zod\//.test(f.url) && /safeParse/.test(f.functionName)],
  ['  fast-path validation (handler quickCheck)', (f) => /\/topics\/invoices\/handler\.ts$/.test(f.url)],
  [
    '  appender closeSync (staged rows into the temp table)',
    (f) => f.functionName === 'closeSync' && f.url.endsWith('/DuckDBAppender.js'),
  ],
  ['flushPending (main-thread part of the flushes)', (f) => f.functionName === 'flushPending'],
  [
    'kafkajs fetch response decoding',
    (f) => /kafkajs\/src\/protocol\/(recordBatch|requests\/fetch)/.test(f.url),
  ],
  [
    'DuckDB instance close at shutdown (final checkpoint)',
    (f) => f.functionName === 'closeSync' && f.url.endsWith('/DuckDBInstance.js'),
  ],
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['idle', (f) => f.functionName === '(idle)'],
];

/** Reads the profile of the main thread (the one that ran stageBatch) and returns markdown lines. */
export function summariseCpuProfiles(dir: string): string[] {
  const profiles = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
  const main = profiles.find((p) => p.nodes.some((n) => n.callFrame.functionName === 'stageBatch'));
  if (!main) return ['(no profile of the ingest main thread found)'];
  return summarise(main);
}

function summarise(profile: CpuProfile): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });

  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const key = `${frame.url} ${frame.functionName}`;
    const category = CATEGORIES.find(([, re]) => re.test(key))?.[0] ?? 'other';
    categories.set(category, (categories.get(category) ?? 0) + us);
    // Line numbers of tsx-transpiled project files are not the source's: only node_modules get one.
    const line = frame.url.includes('/node_modules/') ? `:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${line}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }

  const inclusive = KEY_FUNCTIONS.map(
    ([label, match]) => [label, inclusiveTime(profile, byId, parent, match)] as const,
  );
  const pct = (us: number) => `${((100 * us) / total).toFixed(1)} %`;
  const sec = (us: number) => (us / 1e6).toFixed(2);
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return [
    `Main thread, ${sec(total)} s sampled (the whole process life, start-up and shutdown included).`,
    "V8 shows no frame for JSON.parse: it is inside decodeMessage's self time.",
    '',
    'Self time by kind of code:',
    '',
    ...markdownTable(
      ['Category', 's', 'share'],
      sorted(categories).map(([c, us]) => [c, sec(us), pct(us)]),
    ),
    '',
    'Inclusive time of key steps (callees included):',
    '',
    ...markdownTable(
      ['Step', 's', 'share'],
      inclusive.map(([label, us]) => [label, sec(us), pct(us)]),
    ),
    '',
    'Top functions by self time:',
    '',
    ...markdownTable(
      ['Function', 's', 'share'],
      sorted(functions)
        .slice(0, 15)
        .map(([f, us]) => [`\`${f}\``, sec(us), pct(us)]),
    ),
  ];
}

/** Time of samples whose stack contains a frame matching `match` (each sample counted once). */
function inclusiveTime(
  profile: CpuProfile,
  byId: Map<number, ProfileNode>,
  parent: Map<number, number>,
  match: (frame: CallFrame) => boolean,
): number {
  const memo = new Map<number, boolean>();
  const onStack = (id: number): boolean => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const up = parent.get(id);
    const result = (node !== undefined && match(node.callFrame)) || (up !== undefined && onStack(up));
    memo.set(id, result);
    return result;
  };
  let us = 0;
  profile.samples.forEach((id, i) => {
    if (onStack(id)) us += profile.timeDeltas[i] ?? 0;
  });
  return us;
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\/.*?\/node_modules\//, '')
    .replace(/^file:\/\/.*?\/(ingest|lib|cli|bench)\//, '$1/');
}
